"""Victim-service handoffs: the minimum a partner organization needs, and the consent behind it.

A handoff holds two sealed records, both wrapped to the organization's desk and the triage desk:
- the *request* (`request`): a summary written for the liaison, never the tip, the tipster or
  investigative notes. Always present; without consent it must name nobody.
- the *identity* (`identity`): only the pieces the person consented to share (name, how and when
  it is safe to reach them, location, situation). Revoking or expiring consent deletes the
  organization's wrap of this record at once (crypto-shredding for that reader), while the
  task force keeps its copy.
The liaison's own notes and contact attempts (`Activity`) are sealed to the organization's desk
only: an advocate's confidentiality duties differ from the task force's, so what flows back is
only the status and a non-identifying outcome code.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for the partner")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    SERVICES_PROVIDED = "services_provided", _("Services provided")
    UNABLE_TO_REACH = "unable_to_reach", _("Unable to reach")
    DECLINED_SERVICES = "declined_services", _("Declined services")


class Scope(models.TextChoices):
    NAME = "name", _("Name")
    CONTACT = "contact", _("How and when to reach them")
    LOCATION = "location", _("Where they are")
    SITUATION = "situation", _("Their situation")


class Handoff(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty once the tip is purged under the retention policy: the handoff then keeps only its
    # organization, dates, status and outcome code, for the statistics and the liaison.
    tip = models.ForeignKey(
        "tips.Tip", null=True, blank=True, on_delete=models.PROTECT, related_name="handoffs"
    )
    purged_at = models.DateTimeField(null=True, blank=True)
    organization = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="handoffs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    services = models.JSONField(default=list)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    services_provided = models.JSONField(default=list)

    request = models.BinaryField()
    identity = models.BinaryField(null=True, blank=True)
    decline_reason = models.BinaryField(null=True, blank=True)

    accepted_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handoffs_answered",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Service level: accept by `sla_due_at`, or the liaisons are alerted, then the investigator.
    sla_due_at = models.DateTimeField()
    liaisons_alerted_at = models.DateTimeField(null=True, blank=True)
    investigator_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="handoff_outcome_only_when_closed",
                condition=Q(outcome="") | Q(status="closed"),
            )
        ]
        indexes = [
            # A liaison's inbox: their organization's handoffs, newest first.
            models.Index(fields=["organization", "status", "-created_at"], name="handoff_inbox"),
            # The service-level sweep: pending handoffs past due.
            models.Index(fields=["status", "sla_due_at"], name="handoff_sla"),
        ]

    def __str__(self) -> str:
        return f"handoff {self.code}"

    @property
    def request_record(self) -> tuple[str, str]:
        return ("handoffs.handoff", str(self.code))

    @property
    def identity_record(self) -> tuple[str, str]:
        return ("handoffs.identity", str(self.code))


class Consent(models.Model):
    """One entry of the consent ledger: who agreed, to which organization (the handoff's), for
    which services and which pieces of information, how, what they were told, until when."""

    class Party(models.TextChoices):
        PERSON = "person", _("The person themself")
        GUARDIAN = "guardian", _("A parent or legal guardian")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written (signed form)")
        VERBAL = "verbal", _("Verbal")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    handoff = models.OneToOneField(Handoff, on_delete=models.CASCADE, related_name="consent")
    party = models.CharField(max_length=10, choices=Party.choices, default=Party.PERSON)
    method = models.CharField(max_length=10, choices=Method.choices)
    # Which wording of the consent statement was read to the person (handoffs.consent).
    statement_version = models.CharField(max_length=20)
    scope = models.JSONField(default=list)
    services = models.JSONField(default=list)
    expires_at = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consents_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents_revoked",
    )
    # Why it ended: "revoked" (the person withdrew it) or "expired".
    ended_because = models.CharField(max_length=10, blank=True)

    class Meta:
        indexes = [
            # The expiry sweep: live consents by expiry date.
            models.Index(fields=["revoked_at", "expires_at"], name="consent_expiry"),
        ]

    def __str__(self) -> str:
        return f"consent {self.code}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at >= timezone.localdate()


class Activity(models.Model):
    """The liaison's record of their work: contact attempts and notes, sealed to the
    organization's desk only. The task force never reads these."""

    class Kind(models.TextChoices):
        CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt")
        NOTE = "note", _("Note")

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("Email")
        IN_PERSON = "in_person", _("In person")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    body = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoff_activities"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["handoff", "created_at"], name="activity_handoff")]

    def __str__(self) -> str:
        return f"{self.kind} on handoff {self.handoff_id}"

    @property
    def vault_record(self) -> tuple[str, str]:
        return ("handoffs.activity", str(self.code))
