"""Every state change of triage. Views, the API and tasks call these; none saves a Tip itself.

Each action locks the tip row (`select_for_update`, a real row lock on PostgreSQL), checks the
move against `triage.workflow`, saves only the fields it changes, writes its audit entry in the
same transaction and dispatches follow-on work on commit. Reasons and notes are sealed under the
tip's data key, so writing them needs the actor's unlocked keys (`unlocked`).

Who may write: status, category, priority, reveals, reports and referrals belong to the tip's
assignee or a supervisor; notes, messages to the tipster and links are open to every task-force
member (colleagues add what they know to a case they do not hold). Claiming is open to every
investigator.
"""

# Exceptions here are outcomes shown to people ("Maria already has this tip"), like Django's
# PermissionDenied, not programming errors: no Error suffix.
# ruff: noqa: N818
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import Action
from portal import mail, vault
from portal.models import User
from portal.outcomes import ActionError, Invalid, NotYours
from portal.roles import roles_with
from retention import dates as retention
from tips.actions import add_to_thread
from tips.models import CloseReason, Message, PriorityLevel, Status, Tip, What
from triage import queue, workflow
from triage.models import (
    Change,
    ContactReveal,
    Link,
    MinorReport,
    Note,
    Referral,
    SavedQueueFilter,
    TipRead,
)


class AlreadyClaimed(ActionError):
    pass


class IllegalTransition(ActionError):
    pass


class MinorReportMissing(ActionError):
    pass


def _locked(tip: Tip) -> Tip:
    return Tip.objects.select_for_update().get(pk=tip.pk)


def _touch(tip: Tip, *fields: str) -> None:
    tip.updated_at = timezone.now()
    tip.save(update_fields=[*fields, "updated_at"])


def may_write(tip: Tip, user: User) -> bool:
    return user.may("triage.edit_any_tip") or (
        tip.assignee_id is not None and tip.assignee_id == user.pk
    )


def _require_holder(tip: Tip, user: User) -> None:
    if not may_write(tip, user):
        raise NotYours(_("Claim this tip first, or ask a supervisor to assign it to you."))


def _require_task_force(user: User) -> None:
    if not user.may("triage.view_tip"):
        raise NotYours(_("Only task-force members work on tips."))


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid(_("Please give a reason."))
    if len(reason) > 2000:
        raise Invalid(_("A reason can be at most 2000 characters."))
    return reason


def seal(tip: Tip, unlocked: vault.Keyring, field: str, text: str) -> bytes:
    return vault.open_record_key(tip.vault_record, unlocked).encrypt(field, text.encode())


def _record_change(
    tip: Tip,
    kind: str,
    *,
    from_value: str,
    to_value: str,
    actor: User,
    reason: str = "",
    unlocked: vault.Keyring | None = None,
) -> Change:
    change = Change(tip=tip, kind=kind, from_value=from_value, to_value=to_value, actor=actor)
    if reason:
        if unlocked is None:
            raise vault.Locked("Unlock the vault to write a reason.")
        change.reason = seal(tip, unlocked, change.reason_field, reason)
    change.save(force_insert=True)
    return change


# --- claim, release, assign -------------------------------------------------------------------


@transaction.atomic
def do_claim(tip: Tip, *, acting_user: User) -> Tip:
    """Take an unclaimed tip: exactly one of two racing claims wins. Audit: TIP_CLAIMED."""
    locked = _locked(tip)
    if locked.assignee_id == acting_user.pk:
        return locked  # idempotent: no second audit row
    if locked.assignee is not None:
        raise AlreadyClaimed(
            _("%(name)s already has this tip.") % {"name": locked.assignee.username}
        )
    if locked.status == Status.CLOSED:
        raise IllegalTransition(_("A closed tip cannot be claimed; a supervisor can reopen it."))
    before = locked.status
    locked.assignee, locked.claimed_at = acting_user, timezone.now()
    if locked.status == Status.NEW:
        locked.status = Status.IN_REVIEW
    _touch(locked, "assignee", "claimed_at", "status")
    change = _record_change(
        locked, Change.Kind.CLAIM, from_value=before, to_value=locked.status, actor=acting_user
    )
    audit.record(Action.TIP_CLAIMED, actor=acting_user, target=locked, change=change.pk)
    return locked


@transaction.atomic
def do_release(tip: Tip, *, acting_user: User) -> Tip:
    """Put a claimed tip back in the queue, unassigned. Audit: TIP_RELEASED."""
    locked = _locked(tip)
    _require_holder(locked, acting_user)
    if locked.status not in (Status.IN_REVIEW, Status.ASSIGNED):
        raise IllegalTransition(
            _("Only a tip in review or assigned can be released; change its status instead.")
        )
    before = locked.status
    locked.assignee, locked.claimed_at, locked.status = None, None, Status.NEW
    _touch(locked, "assignee", "claimed_at", "status")
    change = _record_change(
        locked, Change.Kind.RELEASE, from_value=before, to_value=Status.NEW, actor=acting_user
    )
    audit.record(Action.TIP_RELEASED, actor=acting_user, target=locked, change=change.pk)
    return locked


@transaction.atomic
def do_assign(
    tip: Tip, *, assignee: User, acting_user: User, reason: str, unlocked: vault.Keyring
) -> Tip:
    """A supervisor assigns or reassigns a tip to an investigator. Audit: TIP_ASSIGNED."""
    if not acting_user.may("triage.assign"):
        raise NotYours(_("Only supervisors assign tips."))
    if not assignee.may("triage.claim"):
        raise Invalid(_("Tips can only be assigned to active investigators or supervisors."))
    locked = _locked(tip)
    if locked.status == Status.CLOSED:
        raise IllegalTransition(_("Reopen a closed tip before assigning it."))
    if locked.assignee_id == assignee.pk:
        return locked
    before = locked.assignee.username if locked.assignee else ""
    locked.assignee, locked.claimed_at = assignee, timezone.now()
    if locked.status in (Status.NEW, Status.IN_REVIEW):
        locked.status = Status.ASSIGNED
    _touch(locked, "assignee", "claimed_at", "status")
    change = _record_change(
        locked,
        Change.Kind.ASSIGN,
        from_value=before,
        to_value=assignee.username,
        actor=acting_user,
        reason=_reason(reason),
        unlocked=unlocked,
    )
    audit.record(
        Action.TIP_ASSIGNED,
        actor=acting_user,
        target=locked,
        assignee=assignee.username,
        change=change.pk,
    )
    return locked


# --- status -----------------------------------------------------------------------------------


@transaction.atomic
def do_transition(
    tip: Tip,
    to_status: str,
    *,
    acting_user: User,
    reason: str,
    unlocked: vault.Keyring,
    close_reason: str = "",
    duplicate_of: Tip | None = None,
) -> Tip:
    """Move a tip along the lifecycle: the one entry point for a status change, for pages and
    API alike. Audit: TIP_TRANSITIONED (and TIP_LINKED for duplicates).

    Back to review from closed is a reopen, a decision of its own (`do_reopen`: supervisors,
    TIP_REOPENED); this routes it there."""
    locked = _locked(tip)
    if locked.status == Status.CLOSED and to_status == Status.IN_REVIEW:
        return do_reopen(locked, acting_user=acting_user, reason=reason, unlocked=unlocked)
    _require_holder(locked, acting_user)
    reason = _reason(reason)
    if to_status not in Status.values or not workflow.is_allowed(locked.status, to_status):
        raise IllegalTransition(
            _("A tip cannot go from %(from)s to %(to)s.")
            % {"from": locked.get_status_display(), "to": to_status}
        )
    fields = ["status"]
    if to_status == Status.CLOSED:
        _check_closing(locked, close_reason, duplicate_of)
        locked.close_reason = close_reason
        locked.duplicate_of = duplicate_of if close_reason == CloseReason.DUPLICATE else None
        fields += ["close_reason", "duplicate_of", *retention.on_closed(locked, timezone.now())]
    before = locked.status
    locked.status = to_status
    _touch(locked, *fields)
    change = _record_change(
        locked,
        Change.Kind.TRANSITION,
        from_value=before,
        to_value=to_status,
        actor=acting_user,
        reason=reason,
        unlocked=unlocked,
    )
    audit.record(
        Action.TIP_TRANSITIONED,
        actor=acting_user,
        target=locked,
        from_status=before,
        to_status=to_status,
        close_reason=close_reason or None,
        change=change.pk,
    )
    if duplicate_of is not None and close_reason == CloseReason.DUPLICATE:
        _link(locked, duplicate_of, kind=Link.Kind.DUPLICATE, acting_user=acting_user)
    return locked


def _check_closing(tip: Tip, close_reason: str, duplicate_of: Tip | None) -> None:
    if close_reason not in CloseReason.values:
        raise Invalid(
            _(
                "Closing needs a reason: resolved, unfounded, duplicate, "
                "insufficient information or spam."
            )
        )
    if close_reason == CloseReason.DUPLICATE and (duplicate_of is None or duplicate_of == tip):
        raise Invalid(_("A duplicate must name the tip it duplicates."))
    if (
        tip.minor_involved == "yes"
        and close_reason not in workflow.CLOSE_WITHOUT_MINOR_REPORT
        and not tip.minor_reports.exists()
    ):
        raise MinorReportMissing(
            _("A minor is involved: record the mandated report before closing this tip.")
        )


@transaction.atomic
def do_reopen(tip: Tip, *, acting_user: User, reason: str, unlocked: vault.Keyring) -> Tip:
    """A supervisor reopens a closed tip into review. Audit: TIP_REOPENED."""
    if not acting_user.may("triage.reopen"):
        raise NotYours(_("Only supervisors reopen tips."))
    locked = _locked(tip)
    if locked.status != Status.CLOSED:
        raise IllegalTransition(_("Only a closed tip can be reopened."))
    reason = _reason(reason)
    locked.status, locked.close_reason, locked.duplicate_of = Status.IN_REVIEW, "", None
    if locked.assignee is None:
        locked.assignee, locked.claimed_at = acting_user, timezone.now()
    _touch(
        locked,
        "status",
        "close_reason",
        "duplicate_of",
        "assignee",
        "claimed_at",
        *retention.on_reopened(locked),
    )
    change = _record_change(
        locked,
        Change.Kind.REOPEN,
        from_value=Status.CLOSED,
        to_value=Status.IN_REVIEW,
        actor=acting_user,
        reason=reason,
        unlocked=unlocked,
    )
    audit.record(Action.TIP_REOPENED, actor=acting_user, target=locked, change=change.pk)
    return locked


# --- category and priority --------------------------------------------------------------------


@transaction.atomic
def do_categorize(
    tip: Tip, category: str, *, acting_user: User, reason: str = "", unlocked: vault.Keyring
) -> Tip:
    """Set the investigators' category (the tipster's `what` stays). Audit: TIP_CATEGORIZED."""
    if category not in What.values:
        raise Invalid(_("Unknown category."))
    locked = _locked(tip)
    _require_holder(locked, acting_user)
    if locked.category == category:
        return locked
    before = locked.category
    locked.category = category
    _touch(locked, "category")
    change = _record_change(
        locked,
        Change.Kind.CATEGORIZE,
        from_value=before,
        to_value=category,
        actor=acting_user,
        reason=(reason or "").strip(),
        unlocked=unlocked,
    )
    audit.record(
        Action.TIP_CATEGORIZED,
        actor=acting_user,
        target=locked,
        from_category=before,
        to_category=category,
        change=change.pk,
    )
    return locked


@transaction.atomic
def do_reprioritize(
    tip: Tip, level: str, *, acting_user: User, reason: str, unlocked: vault.Keyring
) -> Tip:
    """Override the level; the computed score, level and reasons stay on record.
    Audit: TIP_REPRIORITIZED."""
    if level not in PriorityLevel.values:
        raise Invalid(_("Unknown priority level."))
    locked = _locked(tip)
    _require_holder(locked, acting_user)
    reason = _reason(reason)
    if locked.priority_level == level:
        return locked
    before = locked.priority_level
    locked.set_level(level)
    _touch(locked, "priority_level", "level_rank")
    change = _record_change(
        locked,
        Change.Kind.REPRIORITIZE,
        from_value=before,
        to_value=level,
        actor=acting_user,
        reason=reason,
        unlocked=unlocked,
    )
    audit.record(
        Action.TIP_REPRIORITIZED,
        actor=acting_user,
        target=locked,
        from_level=before,
        to_level=level,
        change=change.pk,
    )
    return locked


# --- notes and the tipster thread -------------------------------------------------------------


def _body(text: str, limit: int = 20_000) -> str:
    body = (text or "").strip()
    if not body:
        raise Invalid(_("Please write something."))
    if len(body) > limit:
        raise Invalid(_("At most %(limit)d characters.") % {"limit": limit})
    return body


@transaction.atomic
def do_add_note(tip: Tip, body: str, *, acting_user: User, unlocked: vault.Keyring) -> Note:
    """An internal note, sealed to the desk only. Audit: NOTE_ADDED."""
    _require_task_force(acting_user)
    text = _body(body)
    note = Note(tip=tip, author=acting_user)
    note.body = seal(tip, unlocked, note.body_field, text)
    note.save(force_insert=True)
    audit.record(Action.NOTE_ADDED, actor=acting_user, target=tip, note=str(note.code))
    return note


@transaction.atomic
def do_message_tipster(tip: Tip, body: str, *, acting_user: User) -> Message:
    """A message the tipster reads with their receipt, and the desk reads too. Needs no private
    key: it is sealed under a new data key wrapped to both. Audit: MESSAGE_SENT."""
    _require_task_force(acting_user)
    text = _body(body, limit=10_000)
    if tip.purged_at is not None:
        raise IllegalTransition(_("This tip was purged; its tipster can no longer be reached."))
    message = add_to_thread(tip, text, sender=Message.Sender.INVESTIGATOR, author=acting_user)
    audit.record(Action.MESSAGE_SENT, actor=acting_user, target=tip, message=str(message.code))
    return message


# --- links ------------------------------------------------------------------------------------


def _pair(tip: Tip, other: Tip) -> tuple[Tip, Tip]:
    return (tip, other) if tip.pk < other.pk else (other, tip)


def _link(tip: Tip, other: Tip, *, kind: str, acting_user: User) -> Link | None:
    first, second = _pair(tip, other)
    link, created = Link.objects.get_or_create(
        tip=first, other=second, defaults={"kind": kind, "created_by": acting_user}
    )
    if not created:
        if kind != Link.Kind.DUPLICATE or link.kind == kind:
            return None
        # Closing as a duplicate upgrades an existing "related" link: the pair is now known.
        link.kind = kind
        link.save(update_fields=["kind"])
    audit.record(Action.TIP_LINKED, actor=acting_user, target=tip, other=str(other.code), kind=kind)
    return link


@transaction.atomic
def do_link(tip: Tip, other: Tip, *, acting_user: User) -> Link | None:
    """Link two tips by hand (None when they already are). Audit: TIP_LINKED."""
    _require_task_force(acting_user)
    if tip.pk == other.pk:
        raise Invalid(_("A tip cannot be linked to itself."))
    return _link(tip, other, kind=Link.Kind.RELATED, acting_user=acting_user)


@transaction.atomic
def do_unlink(tip: Tip, other: Tip, *, acting_user: User) -> bool:
    """Audit: TIP_UNLINKED."""
    _require_task_force(acting_user)
    first, second = _pair(tip, other)
    deleted, _rows = Link.objects.filter(tip=first, other=second).delete()
    if deleted:
        audit.record(Action.TIP_UNLINKED, actor=acting_user, target=tip, other=str(other.code))
    return bool(deleted)


# --- contact details: four eyes -----------------------------------------------------------------


@transaction.atomic
def do_request_reveal(
    tip: Tip, reason: str, *, acting_user: User, unlocked: vault.Keyring
) -> ContactReveal:
    """Ask to open the tipster's contact details, saying why. With `TRIAGE_REVEAL_NEEDS_APPROVAL`
    off, the request is approved at once. Audit: CONTACT_REVEAL_REQUESTED (and _APPROVED)."""
    tip = _locked(tip)  # the holder check must see the current assignee, not a stale copy
    if not tip.has_contact:
        raise Invalid(_("The tipster left no contact details."))
    _require_holder(tip, acting_user)
    reveal = ContactReveal(tip=tip, requested_by=acting_user)
    reveal.reason = seal(tip, unlocked, reveal.reason_field, _reason(reason))
    needs_approval = settings.TRIAGE_REVEAL_NEEDS_APPROVAL
    if not needs_approval:
        reveal.status = ContactReveal.Status.APPROVED
        reveal.decided_by, reveal.decided_at = acting_user, timezone.now()
    reveal.save(force_insert=True)
    audit.record(
        Action.CONTACT_REVEAL_REQUESTED, actor=acting_user, target=tip, reveal=str(reveal.code)
    )
    if not needs_approval:
        audit.record(
            Action.CONTACT_REVEAL_APPROVED,
            actor=acting_user,
            target=tip,
            reveal=str(reveal.code),
            four_eyes=False,
        )
    return reveal


@transaction.atomic
def do_decide_reveal(
    reveal: ContactReveal,
    *,
    approve: bool,
    acting_user: User,
    reason: str = "",
    unlocked: vault.Keyring | None = None,
) -> ContactReveal:
    """A supervisor other than the requester approves or denies; a denial says why (sealed,
    shown to the requester). Audit: CONTACT_REVEAL_APPROVED (a denial with `approved: false`)."""
    if not acting_user.may("triage.approve_reveal"):
        raise NotYours(_("Only supervisors approve reveals."))
    locked = ContactReveal.objects.select_for_update().select_related("tip").get(pk=reveal.pk)
    if locked.requested_by_id == acting_user.pk:
        raise NotYours(
            _("This is your own request: the four-eyes rule needs another supervisor to decide it.")
        )
    if locked.status != ContactReveal.Status.PENDING:
        raise IllegalTransition(_("This request was already decided."))
    fields = ["status", "decided_by", "decided_at"]
    if not approve:
        text = _reason(reason)
        if unlocked is None:
            raise vault.Locked("Unlock the vault to write a reason.")
        locked.denial_reason = seal(locked.tip, unlocked, locked.denial_reason_field, text)
        fields.append("denial_reason")
    locked.status = ContactReveal.Status.APPROVED if approve else ContactReveal.Status.DENIED
    locked.decided_by, locked.decided_at = acting_user, timezone.now()
    locked.save(update_fields=fields)
    audit.record(
        Action.CONTACT_REVEAL_APPROVED,
        actor=acting_user,
        target=locked.tip,
        reveal=str(locked.code),
        approved=approve,
    )
    return locked


# --- minors and referrals ---------------------------------------------------------------------


@transaction.atomic
def do_record_minor_report(
    tip: Tip, agency: str, reference: str, *, acting_user: User, unlocked: vault.Keyring
) -> MinorReport:
    """Record that the mandated report was made. Audit: MINOR_REPORT_RECORDED."""
    if agency not in MinorReport.Agency.values:
        raise Invalid(_("Unknown agency."))
    tip = _locked(tip)  # the holder check must see the current assignee, not a stale copy
    _require_holder(tip, acting_user)
    report = MinorReport(tip=tip, agency=agency, made_by=acting_user)
    report.reference = seal(tip, unlocked, report.reference_field, _reason(reference))
    report.save(force_insert=True)
    audit.record(Action.MINOR_REPORT_RECORDED, actor=acting_user, target=tip, agency=agency)
    return report


@transaction.atomic
def do_refer(
    tip: Tip, destination: str, reason: str, *, acting_user: User, unlocked: vault.Keyring
) -> Referral:
    """Refer a tip to an outside agency; an investigating tip moves to `referred`.
    Audit: REFERRAL_CREATED (and TIP_TRANSITIONED)."""
    if destination not in Referral.Destination.values:
        raise Invalid(_("Unknown destination."))
    locked = _locked(tip)
    _require_holder(locked, acting_user)
    text = _reason(reason)
    referral = Referral(tip=locked, destination=destination, created_by=acting_user)
    referral.reason = seal(locked, unlocked, referral.reason_field, text)
    referral.save(force_insert=True)
    audit.record(
        Action.REFERRAL_CREATED,
        actor=acting_user,
        target=locked,
        destination=destination,
        referral=str(referral.code),
    )
    if workflow.is_allowed(locked.status, Status.REFERRED):
        do_transition(
            locked, Status.REFERRED, acting_user=acting_user, reason=text, unlocked=unlocked
        )
    return referral


# --- urgent escalation ------------------------------------------------------------------------


def do_escalate_overdue(now: datetime | None = None) -> int:
    """Urgent tips still unclaimed past their service-level time: tell the supervisors, once per
    tip (a conditional update claims each escalation, so overlapping runs send nothing twice).
    Content-free mail, sent after commit (portal.mail). Returns how many tips were escalated.
    Audit: URGENT_ESCALATED."""
    moment = now or timezone.now()
    overdue = Tip.objects.filter(
        priority_level=PriorityLevel.URGENT,
        assignee__isnull=True,
        status=Status.NEW,
        sla_due_at__lte=moment,
        escalated_at__isnull=True,
    ).values_list("pk", flat=True)
    escalated = 0
    for tip_id in list(overdue[:500]):
        with transaction.atomic():
            if not Tip.objects.filter(pk=tip_id, escalated_at__isnull=True).update(
                escalated_at=moment
            ):
                continue
            mail.alert_staff(
                "urgent_escalated",
                User.objects.filter(role__in=roles_with("alerts.escalation")),
                action=Action.URGENT_ESCALATED,
                target=("tips.tip", str(Tip.objects.values_list("code", flat=True).get(pk=tip_id))),
            )
            escalated += 1
    return escalated


# --- bulk ---------------------------------------------------------------------------------------


class BulkAction:
    CLOSE = "close"
    ASSIGN = "assign"
    CATEGORIZE = "categorize"
    CHOICES = (CLOSE, ASSIGN, CATEGORIZE)
    # The capability each needs, as the one-by-one endpoints require it.
    CAPABILITY = {
        CLOSE: "triage.transition",
        ASSIGN: "triage.assign",
        CATEGORIZE: "triage.categorize",
    }


# A duplicate names its own original, so it is closed one by one.
BULK_CLOSE_REASONS = [value for value in CloseReason.values if value != CloseReason.DUPLICATE]
MAX_BULK = 100


@dataclass(frozen=True)
class BulkResult:
    tip: Tip
    ok: bool
    error: str = ""


def do_bulk(
    tips: list[Tip],
    action: str,
    *,
    acting_user: User,
    unlocked: vault.Keyring,
    reason: str = "",
    close_reason: str = "",
    assignee: User | None = None,
    category: str = "",
) -> list[BulkResult]:
    """The same action on each tip, through the same one-by-one action (its checks, its audit
    entry per tip), each in its own transaction: one tip refused does not undo the others.

    Closing an unclaimed tip claims it first, as a person would (TIP_CLAIMED, then
    TIP_TRANSITIONED); if the close is refused, the claim is undone with it."""
    if not acting_user.may(BulkAction.CAPABILITY[action]):
        raise NotYours(_("Your role cannot do this."))
    results = []
    for tip in tips:
        try:
            with transaction.atomic():
                # What the action needs is checked by the action itself and answered per tip,
                # as one by one; these two are the bulk form's own limits.
                if action == BulkAction.CLOSE and close_reason == CloseReason.DUPLICATE:
                    raise Invalid(_("Choose a close reason other than duplicate."))
                if action == BulkAction.ASSIGN and assignee is None:
                    raise Invalid(_("Choose who the tips go to."))
                if action == BulkAction.CLOSE:
                    held = tip
                    if not may_write(tip, acting_user) and tip.assignee_id is None:
                        held = do_claim(tip, acting_user=acting_user)
                    do_transition(
                        held,
                        Status.CLOSED,
                        acting_user=acting_user,
                        reason=reason,
                        unlocked=unlocked,
                        close_reason=close_reason,
                    )
                elif action == BulkAction.ASSIGN:
                    do_assign(
                        tip,
                        assignee=cast(User, assignee),  # checked above
                        acting_user=acting_user,
                        reason=reason,
                        unlocked=unlocked,
                    )
                else:
                    do_categorize(
                        tip, category, acting_user=acting_user, reason=reason, unlocked=unlocked
                    )
        except ActionError as outcome:
            results.append(BulkResult(tip, ok=False, error=outcome.message))
        else:
            results.append(BulkResult(tip, ok=True))
    return results


# --- saved queue views --------------------------------------------------------------------------


@transaction.atomic
def do_save_queue_filter(
    name: str, query: dict[str, str], *, acting_user: User
) -> SavedQueueFilter:
    """Keep the queue filter in `query` under `name` for the acting member alone: only what
    `queue.Filters.saved_query` keeps. Audit: QUEUE_FILTER_SAVED (ids only, never the name or
    the query)."""
    if not acting_user.may("triage.saved_filters"):
        raise NotYours(_("Your role cannot do this."))
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(_("Give the view a name."), field="name")
    if len(name) > SavedQueueFilter.MAX_NAME:
        raise Invalid(
            _("A name can be at most %(count)d characters.") % {"count": SavedQueueFilter.MAX_NAME},
            field="name",
        )
    filters, _errors = queue.Filters.from_query(query)  # unknown values dropped, as the queue does
    saved_query = filters.saved_query()
    # The member's row lock serialises two saves of theirs: the limit holds under a race.
    User.objects.select_for_update().filter(pk=acting_user.pk).values_list("pk").get()
    mine = SavedQueueFilter.objects.filter(user=acting_user)
    if mine.alias(folded=Lower("name")).filter(folded=Lower(Value(name))).exists():
        raise Invalid(_("You already have a view with that name: choose another."), field="name")
    if mine.count() >= SavedQueueFilter.MAX_PER_USER:
        raise Invalid(
            _("You have %(count)d saved views, the most one person can keep: delete one first.")
            % {"count": SavedQueueFilter.MAX_PER_USER},
            field="name",
        )
    saved = SavedQueueFilter.objects.create(user=acting_user, name=name, query=saved_query)
    audit.record(Action.QUEUE_FILTER_SAVED, actor=acting_user, target=saved)
    return saved


@transaction.atomic
def do_delete_queue_filter(saved: SavedQueueFilter, *, acting_user: User) -> None:
    """Forget one of the acting member's saved views. Audit: QUEUE_FILTER_DELETED."""
    if saved.user_id != acting_user.pk:
        raise NotYours(_("That saved view is not yours."))
    code = saved.code
    deleted, _rows = SavedQueueFilter.objects.filter(pk=saved.pk).delete()
    if deleted:
        target = (SavedQueueFilter._meta.label_lower, str(code))
        audit.record(Action.QUEUE_FILTER_DELETED, actor=acting_user, target=target)


# --- read markers -----------------------------------------------------------------------------


def do_mark_read(tip: Tip, *, acting_user: User) -> None:
    """The member has opened the tip now: tipster replies before this are no longer new.
    Not audited apart: opening the tip is (TIP_VIEWED)."""
    TipRead.objects.update_or_create(
        tip=tip, user=acting_user, defaults={"read_at": timezone.now()}
    )
