"""Every state change of a handoff. Views, the API and tasks call these.

Creating a handoff needs only public keys (the organization's and the triage desk's): an
investigator composes it in their session and it is sealed before the row exists. Liaisons
answer for their own organization only; their notes are sealed to their desk alone.
"""

# Exceptions here are outcomes shown to people, not programming errors: no Error suffix.
# ruff: noqa: N818
from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import Action
from handoffs import consent as statements
from handoffs.models import Activity, Consent, Handoff, Outcome, Scope, Status
from partners.models import Organization, Service
from portal import mail, vault
from portal.models import User
from portal.outcomes import ActionError, Invalid, NotYours
from portal.roles import roles_with
from portal.vault.models import Desk
from tips.models import Status as TipStatus
from tips.models import Tip
from triage import actions as triage_actions
from triage import workflow


class WrongState(ActionError):
    pass


@dataclass(frozen=True)
class ConsentGiven:
    method: str
    scope: tuple[str, ...]
    expires_at: date
    party: str = Consent.Party.PERSON


@dataclass(frozen=True)
class Identity:
    """What may identify the person: kept only when consent covers it."""

    name: str = ""
    contact: str = ""
    location: str = ""
    situation: str = ""

    def pieces(self) -> dict[str, str]:
        return {
            piece: value
            for piece, value in (
                (Scope.NAME, self.name),
                (Scope.CONTACT, self.contact),
                (Scope.LOCATION, self.location),
                (Scope.SITUATION, self.situation),
            )
            if value.strip()
        }


@dataclass(frozen=True)
class NewHandoff:
    organization: Organization
    services: tuple[str, ...]
    summary: str
    language: str = ""
    identity: Identity = field(default_factory=Identity)
    consent: ConsentGiven | None = None

    @classmethod
    def from_fields(cls, data: Mapping[str, Any], consent: ConsentGiven | None) -> NewHandoff:
        """From validated input that names its fields as the API and the form both do
        (`organization`, `services`, `summary`, `language`, and the identity's pieces)."""
        return cls(
            organization=data["organization"],
            services=tuple(data["services"]),
            summary=data["summary"],
            language=data.get("language", ""),
            identity=Identity(
                name=data.get("name", ""),
                contact=data.get("contact", ""),
                location=data.get("location", ""),
                situation=data.get("situation", ""),
            ),
            consent=consent,
        )


def _seal_json(key: vault.RecordKey, field_name: str, document: Mapping[str, object]) -> bytes:
    import json  # noqa: PLC0415 - one use

    return key.encrypt(field_name, json.dumps(document, ensure_ascii=False).encode())


def _check(new: NewHandoff) -> None:
    if not new.services:
        raise Invalid(_("Choose at least one service."), field="services")
    unknown = set(new.services) - set(Service.values)
    if unknown:
        raise Invalid(
            _("Unknown services: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field="services",
        )
    missing = set(new.services) - set(new.organization.services)
    if missing:
        raise Invalid(
            _("%(org)s does not offer: %(names)s.")
            % {"org": new.organization.name, "names": ", ".join(sorted(missing))},
            field="services",
        )
    if not new.summary.strip() or len(new.summary) > 5000:
        raise Invalid(
            _("Write a summary for the liaison (at most 5000 characters)."), field="summary"
        )
    pieces = new.identity.pieces()
    if new.consent is None:
        if pieces:
            raise Invalid(
                _(
                    "Without the person's consent only an anonymous service request can be sent: "
                    "leave name, contact, location and situation empty."
                ),
                field="consent",
            )
        return
    if new.consent.method not in Consent.Method.values:
        raise Invalid(_("Say how consent was given: written or verbal."), field="consent")
    if not new.consent.scope or set(new.consent.scope) - set(Scope.values):
        raise Invalid(
            _("Say which pieces of information the person agreed to share."), field="consent"
        )
    beyond = set(pieces) - set(new.consent.scope)
    if beyond:
        raise Invalid(
            _("The person did not agree to share: %(names)s.")
            % {"names": ", ".join(sorted(beyond))},
            field="consent",
        )
    if new.consent.expires_at <= timezone.localdate():
        raise Invalid(_("Consent must run until a future date."), field="consent")


@transaction.atomic
def do_create_handoff(
    tip: Tip, new: NewHandoff, *, acting_user: User, unlocked: vault.Keyring | None = None
) -> Handoff:
    """Hand a person off to a partner. Audit: HANDOFF_CREATED (and CONSENT_RECORDED).

    An investigating tip held by the actor moves to `handed_off` (with `unlocked`, for the
    sealed reason)."""
    if not acting_user.may("triage.create_handoff"):
        raise NotYours(_("Only task-force members hand off."))
    _check(new)
    # By get_desk, not the bare slug: a desk keeps its first slug after an organization rename.
    try:
        desks: list[Desk | str] = [vault.get_desk(new.organization.slug), vault.TRIAGE_SLUG]
    except vault.UnknownDesk:
        raise Invalid(
            _("%(org)s has no desk key yet: an administrator must set it up first.")
            % {"org": new.organization.name},
            field="organization",
        ) from None
    handoff = Handoff(
        tip=tip,
        organization=new.organization,
        created_by=acting_user,
        services=sorted(set(new.services)),
        language=new.language[:16],
        sla_due_at=timezone.now() + timedelta(minutes=settings.HANDOFF_ACCEPT_MINUTES),
    )
    request_key = vault.new_record_key(handoff.request_record, desks=desks)
    handoff.request = _seal_json(request_key, "request", {"summary": new.summary.strip()})
    pieces = new.identity.pieces()
    if new.consent is not None and pieces:
        identity_key = vault.new_record_key(handoff.identity_record, desks=desks)
        handoff.identity = _seal_json(identity_key, "identity", pieces)
    handoff.save(force_insert=True)
    audit.record(
        Action.HANDOFF_CREATED,
        actor=acting_user,
        target=handoff,
        tip=str(tip.code),
        organization=new.organization.slug,
        services=handoff.services,
        with_consent=new.consent is not None,
    )
    if new.consent is not None:
        entry = Consent.objects.create(
            handoff=handoff,
            party=new.consent.party,
            method=new.consent.method,
            statement_version=statements.CURRENT_VERSION,
            scope=sorted(set(new.consent.scope)),
            services=handoff.services,
            expires_at=new.consent.expires_at,
            recorded_by=acting_user,
        )
        audit.record(
            Action.CONSENT_RECORDED,
            actor=acting_user,
            target=handoff,
            consent=str(entry.code),
            scope=entry.scope,
            method=entry.method,
            expires=entry.expires_at.isoformat(),
        )
    if (
        unlocked is not None
        and triage_actions.may_write(tip, acting_user)
        and workflow.is_allowed(tip.status, TipStatus.HANDED_OFF)
    ):
        # If the tip moved meanwhile, the handoff stands and the status is the holder's call.
        with contextlib.suppress(ActionError):
            triage_actions.do_transition(
                tip,
                TipStatus.HANDED_OFF,
                acting_user=acting_user,
                reason=f"Handed off to {new.organization.name}",
                unlocked=unlocked,
            )
    return handoff


def _locked(handoff: Handoff) -> Handoff:
    return Handoff.objects.select_for_update().select_related("organization").get(pk=handoff.pk)


def _require_liaison(handoff: Handoff, user: User) -> None:
    if not user.may("handoffs.respond") or user.organization_id != handoff.organization_id:
        raise NotYours(_("Only the organization's liaisons answer its handoffs."))
    if handoff.purged_at is not None:
        raise WrongState(_("This handoff was removed under the retention policy."))


@transaction.atomic
def do_accept(handoff: Handoff, *, acting_user: User) -> Handoff:
    """Audit: HANDOFF_ACCEPTED."""
    _require_liaison(handoff, acting_user)
    locked = _locked(handoff)
    if locked.status == Status.ACCEPTED:
        return locked
    if locked.status != Status.PENDING:
        raise WrongState(_("Only a waiting handoff can be accepted."))
    now = timezone.now()
    locked.status, locked.accepted_at, locked.responded_by, locked.updated_at = (
        Status.ACCEPTED,
        now,
        acting_user,
        now,
    )
    locked.save(update_fields=["status", "accepted_at", "responded_by", "updated_at"])
    audit.record(Action.HANDOFF_ACCEPTED, actor=acting_user, target=locked)
    return locked


@transaction.atomic
def do_decline(
    handoff: Handoff, reason: str, *, acting_user: User, unlocked: vault.Keyring
) -> Handoff:
    """Decline with a reason the investigator reads (sealed under the request's key, which the
    triage desk opens too), so they can re-route. Audit: HANDOFF_DECLINED."""
    _require_liaison(handoff, acting_user)
    text = (reason or "").strip()
    if not text or len(text) > 2000:
        raise Invalid(
            _("Say why (at most 2000 characters): the investigator will re-route it."),
            field="reason",
        )
    locked = _locked(handoff)
    if locked.status != Status.PENDING:
        raise WrongState(_("Only a waiting handoff can be declined."))
    key = vault.open_record_key(locked.request_record, unlocked)
    now = timezone.now()
    locked.decline_reason = key.encrypt("decline-reason", text.encode())
    locked.status, locked.responded_by, locked.updated_at = Status.DECLINED, acting_user, now
    locked.save(update_fields=["decline_reason", "status", "responded_by", "updated_at"])
    audit.record(Action.HANDOFF_DECLINED, actor=acting_user, target=locked)
    return locked


def _activity(
    handoff: Handoff, kind: str, method: str, body: str, *, acting_user: User
) -> Activity:
    activity = Activity(handoff=handoff, kind=kind, method=method, author=acting_user)
    activity.body = vault.encrypt_record(
        activity.vault_record,
        {"body": body.encode()},
        desks=[vault.get_desk(handoff.organization.slug)],
    )["body"]
    activity.save(force_insert=True)
    return activity


@transaction.atomic
def do_record_contact_attempt(
    handoff: Handoff, method: str, note: str, *, acting_user: User
) -> Activity:
    """Audit: HANDOFF_CONTACT_ATTEMPT (the note stays with the organization)."""
    _require_liaison(handoff, acting_user)
    if method not in Activity.Method.values:
        raise Invalid(_("Say how you tried to reach them."), field="method")
    handoff = _locked(handoff)  # the status check must see the current row, not a stale copy
    if handoff.status != Status.ACCEPTED:
        raise WrongState(_("Accept the handoff first."))
    activity = _activity(
        handoff, Activity.Kind.CONTACT_ATTEMPT, method, note[:5000], acting_user=acting_user
    )
    audit.record(Action.HANDOFF_CONTACT_ATTEMPT, actor=acting_user, target=handoff, method=method)
    return activity


@transaction.atomic
def do_record_outcome(
    handoff: Handoff,
    outcome: str,
    *,
    services_provided: tuple[str, ...] = (),
    note: str = "",
    acting_user: User,
) -> Handoff:
    """Close an accepted handoff with a non-identifying outcome code; the note stays with the
    organization. Audit: HANDOFF_OUTCOME, HANDOFF_CLOSED."""
    _require_liaison(handoff, acting_user)
    if outcome not in Outcome.values:
        raise Invalid(_("Choose an outcome."), field="outcome")
    provided = sorted(set(services_provided))
    if set(provided) - set(Service.values):
        raise Invalid(_("Unknown services."), field="services_provided")
    if outcome == Outcome.SERVICES_PROVIDED and not provided:
        raise Invalid(_("Say which services were provided."), field="services_provided")
    locked = _locked(handoff)
    if locked.status != Status.ACCEPTED:
        raise WrongState(_("Only an accepted handoff can be closed with an outcome."))
    now = timezone.now()
    locked.status, locked.outcome, locked.services_provided = Status.CLOSED, outcome, provided
    locked.closed_at, locked.updated_at = now, now
    locked.save(update_fields=["status", "outcome", "services_provided", "closed_at", "updated_at"])
    if note.strip():
        _activity(locked, Activity.Kind.NOTE, "", note.strip()[:5000], acting_user=acting_user)
    audit.record(
        Action.HANDOFF_OUTCOME,
        actor=acting_user,
        target=locked,
        outcome=outcome,
        services_provided=provided,
    )
    audit.record(Action.HANDOFF_CLOSED, actor=acting_user, target=locked)
    return locked


@transaction.atomic
def do_add_note(handoff: Handoff, note: str, *, acting_user: User) -> Activity:
    """A liaison's note, sealed to their organization only. Audit: HANDOFF_NOTE_ADDED."""
    _require_liaison(handoff, acting_user)
    text = (note or "").strip()
    if not text:
        raise Invalid(_("Please write something."), field="note")
    activity = _activity(handoff, Activity.Kind.NOTE, "", text[:5000], acting_user=acting_user)
    audit.record(Action.HANDOFF_NOTE_ADDED, actor=acting_user, target=handoff)
    return activity


def _end_consent(handoff: Handoff, entry: Consent, *, because: str, actor: User | str) -> None:
    vault.revoke_reader(handoff.identity_record, vault.get_desk(handoff.organization.slug))
    entry.revoked_at = timezone.now()
    entry.revoked_by = actor if isinstance(actor, User) else None
    entry.ended_because = because
    entry.save(update_fields=["revoked_at", "revoked_by", "ended_because"])


@transaction.atomic
def do_revoke_consent(handoff: Handoff, *, acting_user: User) -> Consent:
    """The person withdrew consent (told the investigator or the liaison): the organization
    loses the identifying parts at once. Audit: CONSENT_REVOKED."""
    is_task_force = acting_user.may("triage.view_handoffs")
    is_their_liaison = (
        acting_user.may("handoffs.respond")
        and acting_user.organization_id == handoff.organization_id
    )
    if not (is_task_force or is_their_liaison):
        raise NotYours(_("Only the task force or the organization's liaisons record this."))
    try:
        entry = Consent.objects.select_for_update().get(handoff=handoff)
    except Consent.DoesNotExist:
        raise WrongState(_("There is no consent to revoke.")) from None
    if entry.revoked_at is not None:
        return entry
    _end_consent(handoff, entry, because="revoked", actor=acting_user)
    audit.record(Action.CONSENT_REVOKED, actor=acting_user, target=handoff, consent=str(entry.code))
    return entry


def do_expire_consents(today: date | None = None) -> int:
    """Consents past their date end like a revocation. Audit: CONSENT_EXPIRED."""
    day = today or timezone.localdate()
    expired = 0
    due = Consent.objects.filter(revoked_at__isnull=True, expires_at__lt=day).values_list(
        "pk", flat=True
    )
    for consent_id in list(due[:500]):
        with transaction.atomic():
            entry = (
                Consent.objects.select_for_update()
                .select_related("handoff__organization")
                .get(pk=consent_id)
            )
            if entry.revoked_at is not None:
                continue
            _end_consent(entry.handoff, entry, because="expired", actor="system")
            audit.record(
                Action.CONSENT_EXPIRED,
                actor="system",
                target=entry.handoff,
                consent=str(entry.code),
            )
            expired += 1
    return expired


def do_alert_overdue(now: datetime | None = None) -> int:
    """A handoff not accepted in time alerts the organization's liaisons, and later the
    investigator who made it. Content-free mail; each alert claimed by a conditional update, so
    it is sent once, after commit (portal.mail). Audit: HANDOFF_ALERTED. Returns how many alerts
    were sent."""
    moment = now or timezone.now()
    later = timedelta(minutes=settings.HANDOFF_INVESTIGATOR_ALERT_MINUTES)
    sent = 0
    pending = Handoff.objects.filter(status=Status.PENDING, sla_due_at__lte=moment)
    for handoff_id in list(
        pending.filter(liaisons_alerted_at__isnull=True).values_list("pk", flat=True)[:500]
    ):
        sent += _alert(handoff_id, "liaisons_alerted_at", moment)
    overdue = pending.filter(
        investigator_alerted_at__isnull=True,
        liaisons_alerted_at__isnull=False,
        sla_due_at__lte=moment - later,
    )
    for handoff_id in list(overdue.values_list("pk", flat=True)[:500]):
        sent += _alert(handoff_id, "investigator_alerted_at", moment)
    return sent


def _alert(handoff_id: int, column: str, moment: datetime) -> int:
    with transaction.atomic():
        claimed = Handoff.objects.filter(
            pk=handoff_id, status=Status.PENDING, **{f"{column}__isnull": True}
        ).update(**{column: moment})
        if not claimed:
            return 0
        handoff = Handoff.objects.select_related("created_by").get(pk=handoff_id)
        if column == "liaisons_alerted_at":
            notice, who = "handoff_waiting", "liaisons"
            people = User.objects.filter(
                role__in=roles_with("alerts.handoff_waiting"),
                organization_id=handoff.organization_id,
            )
        else:
            notice, who = "handoff_not_accepted", "investigator"
            people = User.objects.filter(pk=handoff.created_by_id)
        mail.alert_staff(notice, people, action=Action.HANDOFF_ALERTED, target=handoff, who=who)
    return 1
