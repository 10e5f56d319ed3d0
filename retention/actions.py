"""Every retention state change: review, legal hold, the grace period, warnings and the purge.

Like triage's actions, each locks the tip row, saves only what it changes and writes its audit
entry in the same transaction. The purge takes each tip's row lock with `skip_locked` (on
PostgreSQL; SQLite serializes writers with its IMMEDIATE transactions), so a tip a member is
editing right now is left for the next run instead of racing the edit.
"""

# ruff: noqa: N818
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import Action
from handoffs.models import Activity, Consent, Handoff
from handoffs.models import Status as HandoffStatus
from portal import mail, vault
from portal.models import User
from portal.outcomes import ActionError, Invalid, NotYours
from portal.roles import roles_with
from retention import policy
from retention.dates import postpone, start_period
from retention.models import TipTombstone
from tips.models import Attachment, Message, Tip
from triage.actions import may_write
from triage.models import Change

OPEN_HANDOFF = [HandoffStatus.PENDING, HandoffStatus.ACCEPTED]


class AlreadyHeld(ActionError):
    pass


class NotHeld(ActionError):
    pass


def _locked(tip: Tip) -> Tip:
    return Tip.objects.select_for_update().get(pk=tip.pk, purged_at__isnull=True)


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid(_("Please give a reason."))
    if len(reason) > 2000:
        raise Invalid(_("A reason can be at most 2000 characters."))
    return reason


def _sealed_change(
    tip: Tip, kind: str, reason: str, actor: User, unlocked: vault.Keyring
) -> Change:
    change = Change(tip=tip, kind=kind, actor=actor)
    key = vault.open_record_key(tip.vault_record, unlocked)
    change.reason = key.encrypt(change.reason_field, reason.encode())
    change.save(force_insert=True)
    return change


def _save(tip: Tip, *fields: str) -> None:
    tip.updated_at = timezone.now()
    tip.save(update_fields=[*fields, "updated_at"])


# --- review and hold ------------------------------------------------------------------------


@transaction.atomic
def do_review(tip: Tip, reason: str, *, acting_user: User, unlocked: vault.Keyring) -> Tip:
    """An investigator records why the lead is still needed: a new period. Audit: TIP_REVIEWED
    (the reason sealed in the change it names)."""
    if not acting_user.may("retention.review"):
        raise NotYours(_("Only task-force members review tips."))
    locked = _locked(tip)
    if not may_write(locked, acting_user):
        raise NotYours(_("Claim this tip first, or ask a supervisor to assign it to you."))
    reason = _reason(reason)
    fields = start_period(locked, timezone.now())
    locked.purge_warned_for = None
    _save(locked, *fields, "purge_warned_for")
    change = _sealed_change(locked, Change.Kind.REVIEW, reason, acting_user, unlocked)
    audit.record(
        Action.TIP_REVIEWED,
        actor=acting_user,
        target=locked,
        change=change.pk,
        review_due=locked.review_due.isoformat() if locked.review_due else None,
        purge_after=locked.purge_after.isoformat() if locked.purge_after else None,
    )
    return locked


@transaction.atomic
def do_place_hold(tip: Tip, reason: str, *, acting_user: User, unlocked: vault.Keyring) -> Tip:
    """A supervisor puts the tip under legal hold: never purged. Audit: TIP_HOLD_PLACED."""
    if not acting_user.may("retention.hold"):
        raise NotYours(_("Only supervisors place a legal hold."))
    locked = _locked(tip)
    reason = _reason(reason)
    if locked.hold:
        raise AlreadyHeld(_("This tip is already under legal hold."))
    key = vault.open_record_key(locked.vault_record, unlocked)
    locked.hold, locked.hold_reason = True, key.encrypt(locked.hold_reason_field, reason.encode())
    _save(locked, "hold", "hold_reason")
    change = _sealed_change(locked, Change.Kind.HOLD, reason, acting_user, unlocked)
    audit.record(Action.TIP_HOLD_PLACED, actor=acting_user, target=locked, change=change.pk)
    return locked


@transaction.atomic
def do_release_hold(tip: Tip, reason: str, *, acting_user: User, unlocked: vault.Keyring) -> Tip:
    """A supervisor ends the legal hold; the dates apply again. Audit: TIP_HOLD_RELEASED."""
    if not acting_user.may("retention.hold"):
        raise NotYours(_("Only supervisors release a legal hold."))
    locked = _locked(tip)
    reason = _reason(reason)
    if not locked.hold:
        raise NotHeld(_("This tip is not under legal hold."))
    locked.hold, locked.hold_reason = False, None
    _save(locked, "hold", "hold_reason")
    change = _sealed_change(locked, Change.Kind.RELEASE_HOLD, reason, acting_user, unlocked)
    audit.record(Action.TIP_HOLD_RELEASED, actor=acting_user, target=locked, change=change.pk)
    return locked


def read_hold_reason(tip: Tip, unlocked: vault.Keyring) -> str | None:
    if not tip.hold or tip.hold_reason is None:
        return None
    key = vault.open_record_key(tip.vault_record, unlocked)
    return key.decrypt(tip.hold_reason_field, bytes(tip.hold_reason)).decode()


# --- warnings -------------------------------------------------------------------------------


def _purge_date(tip: Tip) -> datetime | None:
    return policy.purge_date(tip.status, tip.purge_after, tip.unreviewed_limit)


def purge_due_within(days: int, moment: datetime | None = None) -> Q:
    """Tips (not held) that go within `days`: the queue's filter."""
    horizon = (moment or timezone.now()) + timedelta(days=days)
    return policy.due_by(horizon) & Q(hold=False)


def do_warn_of_purges(now: datetime | None = None) -> int:
    """Tell the assignee (the supervisors for an unassigned tip) a warning lead before a tip's
    purge date: a content-free notice, once per date (a conditional update claims it, so
    overlapping runs send nothing twice). Returns how many tips were warned about.
    Audit: PURGE_WARNED."""
    moment = now or timezone.now()
    due = Tip.objects.filter(
        policy.due_by(moment + policy.warning_lead()), hold=False, purged_at__isnull=True
    ).values_list("pk", flat=True)
    warned = 0
    for tip_id in list(due[:500]):
        with transaction.atomic():
            tip = Tip.objects.select_for_update().filter(pk=tip_id).first()
            date = _purge_date(tip) if tip is not None else None
            if tip is None or date is None or tip.purge_warned_for == date:
                continue
            tip.purge_warned_for = date
            tip.save(update_fields=["purge_warned_for"])
            if tip.assignee_id is not None:
                people = User.objects.filter(
                    pk=tip.assignee_id, role__in=roles_with("alerts.purge_warning")
                )
            else:
                people = User.objects.filter(role__in=roles_with("alerts.purge_unassigned"))
            mail.alert_staff("purge_warning", people, action=Action.PURGE_WARNED, target=tip)
            warned += 1
    return warned


# --- the purge ----------------------------------------------------------------------------


@dataclass
class PurgeSummary:
    purged: int = 0
    held: int = 0
    postponed: int = 0
    would_purge: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"purged {self.purged}, held {self.held}, postponed {self.postponed}"


def _candidate_ids(moment: datetime, batch: int, after: int) -> list[int]:
    return list(
        Tip.objects.filter(policy.due_by(moment), purged_at__isnull=True, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )


def do_purge_expired(
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> PurgeSummary:
    """Purge every tip whose date has passed and that is not held, a batch of ids at a time
    (no whole-table load; one transaction per batch). A held tip counts as held; a tip with an
    open handoff is postponed by the grace period, and one a staff action has locked right now
    is postponed to the next run. `dry_run` counts and lists, changing nothing.
    Audit: TIP_PURGED per tip, RETENTION_PURGE_RUN per run."""
    moment = now or timezone.now()
    summary = PurgeSummary()
    after = 0
    seen = 0
    while ids := _candidate_ids(moment, batch, after):
        after = ids[-1]
        if dry_run:
            _look_at_batch(ids, summary)
        else:
            _purge_batch(ids, moment, summary)
        seen += len(ids)
        if progress is not None:
            progress(seen)
    if not dry_run:
        with transaction.atomic():
            audit.record(
                Action.RETENTION_PURGE_RUN,
                actor="system",
                target=None,
                purged=summary.purged,
                held=summary.held,
                postponed=summary.postponed,
            )
    return summary


def _with_open_handoffs(ids: list[int]) -> set[int]:
    return set(
        Handoff.objects.filter(tip_id__in=ids, status__in=OPEN_HANDOFF).values_list(
            "tip_id", flat=True
        )
    )


def _look_at_batch(ids: list[int], summary: PurgeSummary) -> None:
    tips = list(Tip.objects.filter(pk__in=ids).order_by("pk").only("pk", "code", "hold"))
    waiting = _with_open_handoffs(ids)
    for tip in tips:
        if tip.hold:
            summary.held += 1
        elif tip.pk in waiting:
            summary.postponed += 1
        else:
            summary.would_purge.append(str(tip.code))


def _purge_batch(ids: list[int], moment: datetime, summary: PurgeSummary) -> None:
    with transaction.atomic():
        rows = Tip.objects.filter(policy.due_by(moment), pk__in=ids, purged_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            # A tip a staff action holds right now is left whole for the next run.
            rows = rows.select_for_update(skip_locked=True)
        tips = list(rows.order_by("pk"))
        got = {tip.pk for tip in tips}
        if len(got) < len(ids):
            # Not locked here: either a staff action holds it, or its date moved meanwhile.
            still_due = Tip.objects.filter(policy.due_by(moment), pk__in=set(ids) - got)
            summary.postponed += still_due.count()
        summary.held += sum(1 for tip in tips if tip.hold)
        waiting = _with_open_handoffs([tip.pk for tip in tips if not tip.hold])
        for tip_id in waiting:
            postpone(tip_id, moment)
        summary.postponed += len(waiting)
        going = [tip for tip in tips if not tip.hold and tip.pk not in waiting]
        if going:
            files = purge_tips(going, moment)
            transaction.on_commit(lambda: _delete_files(files))
            summary.purged += len(going)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def purge_tips(tips: list[Tip], moment: datetime) -> list[str]:
    """Inside the caller's transaction, with the tips' rows locked: shred every wrap of every
    key of each tip (desks, recovery, the tipster, partner organizations), delete the tips'
    rows (cascading to attachments, blind indexes, thread, notes, changes, links, reveals,
    referrals, reports, retry copies), strip their handoffs to their outcome, and keep a
    tombstone of each. Returns the storage names of the attachment files, to delete once the
    transaction commits."""
    ids = [tip.pk for tip in tips]
    handoffs = list(Handoff.objects.filter(tip_id__in=ids))
    handoff_ids = [handoff.pk for handoff in handoffs]
    records: list[tuple[str, str]] = [tip.vault_record for tip in tips]
    records += [
        ("tips.message", str(code))
        for code in Message.objects.filter(tip_id__in=ids).values_list("code", flat=True)
    ]
    for handoff in handoffs:
        records += [handoff.request_record, handoff.identity_record]
    records += [
        ("handoffs.activity", str(code))
        for code in Activity.objects.filter(handoff_id__in=handoff_ids).values_list(
            "code", flat=True
        )
    ]
    vault.shred_many(records)
    files = list(Attachment.objects.filter(tip_id__in=ids).values_list("blob", flat=True))
    outcomes: dict[int, list[str]] = {}
    for handoff in handoffs:
        if handoff.tip_id is not None:
            outcomes.setdefault(handoff.tip_id, []).append(handoff.outcome)
    TipTombstone.objects.bulk_create(
        TipTombstone(
            code=tip.code,
            created_at=tip.created_at,
            closed_at=tip.closed_at,
            purged_at=moment,
            category=tip.category,
            priority_level=tip.priority_level,
            area=tip.area,
            close_reason=tip.close_reason,
            handoff_outcomes=outcomes.get(tip.pk, []),
        )
        for tip in tips
    )
    if handoff_ids:
        Activity.objects.filter(handoff_id__in=handoff_ids).delete()
        Consent.objects.filter(handoff_id__in=handoff_ids).delete()
        Handoff.objects.filter(pk__in=handoff_ids).update(
            tip=None,
            purged_at=moment,
            request=b"",
            identity=None,
            decline_reason=None,
            language="",
            updated_at=moment,
        )
    Tip.objects.filter(duplicate_of_id__in=ids).exclude(pk__in=ids).update(duplicate_of=None)
    Tip.objects.filter(pk__in=ids).delete()
    for tip in tips:
        audit.record(Action.TIP_PURGED, actor="system", target=("tips.tip", str(tip.code)))
    return files
