"""A tip's retention dates as its state changes: closing, reopening, a review, the grace period.

Called by the actions that make those changes (triage, tips, retention), inside their
transaction; they import nothing from those apps, so every app may call them.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from retention import policy
from tips.models import Status, Tip


def start_period(tip: Tip, moment: datetime) -> list[str]:
    """A new retention period from `moment` (a review): the fields changed."""
    tip.review_due = policy.review_due_from(moment)
    tip.unreviewed_limit = policy.unreviewed_limit_from(moment)
    fields = ["review_due", "unreviewed_limit"]
    if tip.status == Status.CLOSED and tip.close_reason:
        tip.purge_after = policy.purge_after_closing(tip.close_reason, moment)
        fields.append("purge_after")
    return fields


def on_closed(tip: Tip, moment: datetime) -> list[str]:
    """Closing sets the purge date from the close reason's period."""
    tip.closed_at = moment
    tip.purge_after = policy.purge_after_closing(tip.close_reason, moment)
    return ["closed_at", "purge_after"]


def on_reopened(tip: Tip) -> list[str]:
    """Reopening clears the purge date; the open tip's review dates apply again."""
    tip.closed_at = None
    tip.purge_after = None
    return ["closed_at", "purge_after"]


def postpone(tip_id: int, moment: datetime | None = None) -> bool:
    """Inside the caller's transaction: put the tip's purge off to at least the grace period
    from now (the tipster added something, a handoff is still open). True when a date moved."""
    now = moment or timezone.now()
    floor = now + policy.grace()
    moved = Tip.objects.filter(pk=tip_id, purge_after__lt=floor).update(purge_after=floor)
    moved += Tip.objects.filter(pk=tip_id, unreviewed_limit__lt=floor).update(
        unreviewed_limit=floor
    )
    return moved > 0
