"""Tips as the database holds them: triage metadata in the clear, everything typed sealed.

Plaintext by design (docs/keys.md, "What a thief can and cannot read"): ids, timestamps,
status, category, the priority score and its reasons, the flags (immediate danger, minor
involved, victim asking for help), the coarse area from a fixed list, language, counts and
assignment. Every word a person typed and every
file they sent is ciphertext written by the vault: `Tip.content` (one sealed JSON document),
`Tip.contact` (sealed apart, so it can stay closed until someone states a reason to open it),
attachment names and blobs, and the messages of the tipster thread.

Records are bound to their ciphertexts by `vault_record` — the type and the random `code`, never
the integer pk — so content is encrypted before the row exists.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tips.attachments import IMAGE_TYPES
from tips.scoring import Level


class What(models.TextChoices):
    SEX_TRAFFICKING = "sex_trafficking", _("Someone is being made to sell sex")
    LABOR_TRAFFICKING = "labor_trafficking", _("Someone is being forced to work")
    MINOR_EXPLOITATION = "minor_exploitation", _("A child or teenager is being exploited")
    ONLINE_ENTICEMENT = "online_enticement", _("Someone is luring a young person online")
    ILLICIT_MASSAGE = "illicit_massage", _("A massage or spa business seems to be a front")
    SUSPICIOUS_ACTIVITY = "suspicious_activity", _("Something looked wrong and I am not sure")
    VICTIM_NEEDS_HELP = "victim_needs_help", _("I, or someone I know, needs help getting out")
    NOT_TRAFFICKING = "not_trafficking", _("Not trafficking")
    OTHER = "other", _("Something else")


# The public form offers every choice but the investigators' own verdict.
FORM_WHAT_CHOICES = [choice for choice in What.choices if choice[0] != What.NOT_TRAFFICKING]


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class Recency(models.TextChoices):
    NOW = "now", _("Now, or within the last day")
    WEEK = "week", _("In the last week")
    EARLIER = "earlier", _("Earlier than that")
    UNKNOWN = "unknown", _("Not sure")


class PriorityLevel(models.TextChoices):
    URGENT = Level.URGENT.value, _("Urgent")
    HIGH = Level.HIGH.value, _("High")
    NORMAL = Level.NORMAL.value, _("Normal")
    LOW = Level.LOW.value, _("Low")


LEVEL_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigating")
    REFERRED = "referred", _("Referred")
    HANDED_OFF = "handed_off", _("Handed off")
    CLOSED = "closed", _("Closed")


class CloseReason(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    UNFOUNDED = "unfounded", _("Unfounded")
    DUPLICATE = "duplicate", _("Duplicate")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Insufficient information")
    SPAM = "spam", _("Spam")


class TipsterStatus(models.TextChoices):
    """The only status a tipster ever sees: coarse, so it tells a trafficker holding a stolen
    receipt nothing about the investigation."""

    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


def _review_due() -> datetime:
    from retention.policy import default_review_due  # noqa: PLC0415 - retention imports tips

    return default_review_due()


def _unreviewed_limit() -> datetime:
    from retention.policy import default_unreviewed_limit  # noqa: PLC0415 - retention imports tips

    return default_unreviewed_limit()


class Tip(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # `T-YYYY-NNNNN`, sequential per year (tips.numbering), given in the submission's
    # transaction: what people say, type and search for; the code stays the identity.
    number = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    what = models.CharField(max_length=32, choices=What)
    category = models.CharField(max_length=32, choices=What)
    status = models.CharField(max_length=16, choices=Status, default=Status.NEW)
    close_reason = models.CharField(max_length=32, choices=CloseReason, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    immediate_danger = models.CharField(max_length=8, choices=Answer)
    minor_involved = models.CharField(max_length=8, choices=Answer)
    victim_self_report = models.BooleanField(default=False)
    recency = models.CharField(max_length=8, choices=Recency, default=Recency.UNKNOWN)
    area = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=2, choices=Language, default=Language.ENGLISH)

    # The score and its reasons are kept as computed; an override changes only the level.
    priority_score = models.PositiveSmallIntegerField()
    computed_level = models.CharField(max_length=8, choices=PriorityLevel)
    priority_level = models.CharField(max_length=8, choices=PriorityLevel)
    priority_reasons = models.JSONField(default=list)
    # The queue's first sort key, kept with `priority_level` (0 urgent … 3 low), so "urgent
    # first, then score, then age" is one index scan instead of a sort of every open tip.
    level_rank = models.PositiveSmallIntegerField(default=3)

    identifier_count = models.PositiveSmallIntegerField(default=0)
    attachment_count = models.PositiveSmallIntegerField(default=0)
    has_contact = models.BooleanField(default=False)
    may_contact = models.BooleanField(default=False)

    content = models.BinaryField()
    contact = models.BinaryField(null=True, blank=True)

    # HMAC of the receipt (never the receipt) and the public half of the tipster's keypair.
    receipt_lookup = models.BinaryField(max_length=32, unique=True)
    tipster_public_key = models.BinaryField()

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tips",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The service-level clock: when this tip should be claimed by, from its level at submission.
    sla_due_at = models.DateTimeField()
    urgent_notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    # Retention (retention.policy): when the tip was closed, when a closed tip may be purged,
    # when an open one must be reviewed, and the five-year limit an open tip is never kept
    # past without a review. A tip under legal hold is never purged; the hold's reason is sealed.
    closed_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)
    review_due = models.DateTimeField(null=True, blank=True, default=_review_due)
    unreviewed_limit = models.DateTimeField(null=True, blank=True, default=_unreviewed_limit)
    hold = models.BooleanField(default=False, db_default=False)
    hold_reason = models.BinaryField(null=True, blank=True)
    # The purge date the last warning was about: one notice per date, a new one after a change.
    purge_warned_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="tip_closed_has_reason",
                condition=Q(status="closed", close_reason__gt="")
                | (~Q(status="closed") & Q(close_reason="")),
            ),
            models.CheckConstraint(name="tip_score_in_range", condition=Q(priority_score__lte=100)),
        ]
        indexes = [
            # The triage queue: open tips, urgent first, then score, then age.
            models.Index(
                fields=["level_rank", "-priority_score", "created_at", "id"],
                condition=~Q(status="closed"),
                name="tip_open_queue",
            ),
            models.Index(
                fields=["status", "level_rank", "-priority_score", "created_at", "id"],
                name="tip_queue_by_status",
            ),
            models.Index(fields=["assignee", "status"], name="tip_assignee_status"),
            # One per queue filter, each in queue order, so that its first page is an index
            # range read in order, however rare the value (docs/decisions.md, "Fast reads").
            # ?include_closed=1: every tip, closed ones too.
            models.Index(
                fields=["level_rank", "-priority_score", "created_at", "id"], name="tip_queue_all"
            ),
            models.Index(
                fields=["category", "level_rank", "-priority_score", "created_at", "id"],
                condition=~Q(status="closed"),
                name="tip_queue_by_category",
            ),
            models.Index(
                fields=["area", "level_rank", "-priority_score", "created_at", "id"],
                condition=~Q(status="closed"),
                name="tip_queue_by_area",
            ),
            # ?assignee=NAME and ?mine=1.
            models.Index(
                fields=["assignee", "level_rank", "-priority_score", "created_at", "id"],
                condition=~Q(status="closed"),
                name="tip_queue_by_assignee",
            ),
            # ?unclaimed=1: PostgreSQL takes no order from an `IS NULL` prefix, so it has its own.
            models.Index(
                fields=["level_rank", "-priority_score", "created_at", "id"],
                condition=~Q(status="closed") & Q(assignee__isnull=True),
                name="tip_queue_unclaimed",
            ),
            # The purge run and its warnings: closed tips by purge date, open ones by limit.
            models.Index(fields=["purge_after"], name="tip_purge_after"),
            models.Index(fields=["unreviewed_limit"], name="tip_unreviewed_limit"),
        ]

    def __str__(self) -> str:
        return f"tip {self.number or self.code}"

    @property
    def vault_record(self) -> tuple[str, str]:
        return ("tips.tip", str(self.code))

    @property
    def tipster_status(self) -> TipsterStatus:
        if self.status == Status.NEW:
            return TipsterStatus.RECEIVED
        if self.status == Status.CLOSED:
            return TipsterStatus.CLOSED
        return TipsterStatus.UNDER_REVIEW

    @property
    def hold_reason_field(self) -> str:
        return "hold-reason"

    def set_level(self, level: str) -> None:
        self.priority_level, self.level_rank = level, LEVEL_RANK[level]

    @property
    def is_urgent(self) -> bool:
        return self.priority_level == PriorityLevel.URGENT


class TipNumberCounter(models.Model):
    """The last tip number given in a year (tips.numbering): one row per year."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"tip numbers of {self.year}: {self.last}"


class Attachment(models.Model):
    class Variant(models.TextChoices):
        CLEANED = "cleaned", _("Cleaned copy")
        ORIGINAL = "original", _("Original, as sent")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    # Set for a file the tipster added with a reply: it is sealed under that message's data key
    # (the public side cannot open the tip's), and still belongs to the tip for purge and counts.
    message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    variant = models.CharField(max_length=8, choices=Variant.choices, default=Variant.CLEANED)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # Filenames say a lot ("IMG_from_marias_phone.jpg"): sealed under the tip's data key (or
    # the message's, for a file added later).
    name = models.BinaryField()
    # Where the ciphertext lives in storage: a random name that says nothing.
    blob = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"attachment {self.code}"

    @property
    def name_field(self) -> str:
        return f"attachment-name:{self.code}"

    @property
    def blob_field(self) -> str:
        return f"attachment:{self.code}"

    @property
    def previewable(self) -> bool:
        """Shown inline on the tip page: a cleaned photo only. An original keeps the metadata
        the tipster was warned about and a PDF is a document: both are only downloaded."""
        return self.variant == self.Variant.CLEANED and self.content_type in IMAGE_TYPES


class Identifier(models.Model):
    """A blind index of one identifier in a tip: 16 bits of a keyed hash, never the value."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=8)
    digest = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tip", "kind", "digest"], name="identifier_once_per_tip"
            )
        ]
        indexes = [
            # Related tips: every tip with the same kind and digest.
            models.Index(fields=["kind", "digest"], name="identifier_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} index of tip {self.tip_id}"


class Message(models.Model):
    """One message in the tipster thread, readable by the tipster's receipt and the desk."""

    class Sender(models.TextChoices):
        TIPSTER = "tipster", _("You")
        INVESTIGATOR = "investigator", _("Investigator")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=12, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tipster_messages",
    )
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="message_author_only_for_staff",
                condition=Q(sender="tipster", author__isnull=True) | Q(sender="investigator"),
            )
        ]
        indexes = [models.Index(fields=["tip", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"message {self.code}"

    @property
    def vault_record(self) -> tuple[str, str]:
        return ("tips.message", str(self.code))


class SubmissionRetry(models.Model):
    """The answer to one submission, sealed for a retry that carries the same client secret.

    The API's `Idempotency-Key` and the HTML form's one-time token both land here: a double
    click, a reload or a client retrying after a dropped connection finds this row by
    `lookup` (unique, so concurrent copies cannot both store a tip) and gets the same receipt
    back. `answer` opens only with the client's secret (portal.vault.retry); the row is deleted
    when the retry window (`TIP_RETRY_WINDOW_HOURS`) ends, and with its tip.
    """

    lookup = models.BinaryField(max_length=32, unique=True)
    answer = models.BinaryField()
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)  # the window's pruning

    def __str__(self) -> str:
        return f"retry copy of tip {self.tip_id}"
