from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """A decision on a tip and the reason for it: a status move, a category or priority change,
    an assignment. The reason is sealed under the tip's data key (staff write names and places in
    reasons too); the audit entry names this row's id."""

    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claimed")
        RELEASE = "release", _("Released")
        ASSIGN = "assign", _("Assigned")
        TRANSITION = "transition", _("Status changed")
        REOPEN = "reopen", _("Reopened")
        CATEGORIZE = "categorize", _("Category changed")
        REPRIORITIZE = "reprioritize", _("Priority changed")
        REVIEW = "review", _("Reviewed and validated")
        HOLD = "hold", _("Legal hold placed")
        RELEASE_HOLD = "release_hold", _("Legal hold released")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tip_changes"
    )
    reason = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tip", "created_at"], name="change_history")]

    def __str__(self) -> str:
        return f"{self.kind} of tip {self.tip_id}"

    @property
    def reason_field(self) -> str:
        return f"change-reason:{self.code}"


class Note(models.Model):
    """An internal note: sealed under the tip's data key, which is wrapped to the desk only, so
    the tipster's key never opens it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tip_notes"
    )
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["tip", "created_at"], name="note_tip")]

    def __str__(self) -> str:
        return f"note {self.code}"

    @property
    def body_field(self) -> str:
        return f"note:{self.code}"


class Link(models.Model):
    """Two tips about the same thing. Stored once per pair, the older tip first."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        DUPLICATE = "duplicate", _("Duplicate")

    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RELATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tip_links"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tip", "other"], name="link_once_per_pair"),
            models.CheckConstraint(name="link_ordered_pair", condition=Q(tip__lt=F("other"))),
        ]

    def __str__(self) -> str:
        return f"link {self.tip_id}-{self.other_id}"


class ContactReveal(models.Model):
    """A request to open a tip's sealed contact details, with its stated reason; with the
    four-eyes rule on, a supervisor approves it first."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="reveals")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reveal_requests"
    )
    reason = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reveal_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Why a supervisor said no, sealed under the tip's data key like the request's reason.
    denial_reason = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="reveal_pending")]

    def __str__(self) -> str:
        return f"contact reveal {self.pk} of tip {self.tip_id}"

    @property
    def reason_field(self) -> str:
        return f"reveal-reason:{self.code}"

    @property
    def denial_reason_field(self) -> str:
        return f"reveal-denial:{self.code}"


class Referral(models.Model):
    class Destination(models.TextChoices):
        CITY_VICE = "city_vice", _("City police vice unit")
        STATE_BUREAU = "state_bureau", _("State bureau of investigation (KBI / MSHP)")
        FBI = "fbi", _("FBI field office")
        HSI = "hsi", _("Homeland Security Investigations")
        DOL = "dol", _("Department of Labor, Wage and Hour")
        NCMEC = "ncmec", _("NCMEC CyberTipline")
        OTHER = "other", _("Other agency")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="referrals")
    destination = models.CharField(max_length=16, choices=Destination.choices)
    reason = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"referral {self.code}"

    @property
    def reason_field(self) -> str:
        return f"referral-reason:{self.code}"


class MinorReport(models.Model):
    """That the mandated report about a minor was made, to whom, and its reference number."""

    class Agency(models.TextChoices):
        KANSAS_DCF = "kansas_dcf", _("Kansas DCF Protection Report Center")
        MISSOURI_CD = "missouri_cd", _("Missouri Children's Division hotline")
        NCMEC = "ncmec", _("NCMEC CyberTipline")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="minor_reports")
    agency = models.CharField(max_length=16, choices=Agency.choices)
    reference = models.BinaryField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="minor_reports"
    )
    made_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"minor report {self.pk} of tip {self.tip_id}"

    @property
    def reference_field(self) -> str:
        return f"minor-report:{self.code}"


class TipRead(models.Model):
    """When a member last opened a tip: a tipster message after it is a new reply for them,
    marked on their home page and in the queue. Metadata only, like the audit's TIP_VIEWED."""

    tip = models.ForeignKey("tips.Tip", on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tip"], name="tip_read_once")]

    def __str__(self) -> str:
        return f"tip {self.tip_id} read by {self.user_id}"


class SavedQueueFilter(models.Model):
    """A queue filter a member keeps under a name: a link above their own queue, seen by nobody
    else. `query` is the normalised query string of the known filter parameters only
    (`queue.Filters.saved_query`): never the text of an identifier search."""

    MAX_PER_USER = 20
    MAX_NAME = 60

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_filters"
    )
    name = models.CharField(max_length=MAX_NAME)
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One name once per member, in any case; its index also serves the queue's read of
            # "my saved views, by name" (user, then lower(name)).
            models.UniqueConstraint(
                F("user"), Lower("name"), name="saved_queue_filter_name_once_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"saved queue filter {self.code}"
