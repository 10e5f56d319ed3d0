"""The retention policy: one period per outcome, read from settings (docs/operations.md).

A closed tip may be purged `period(close_reason)` days after it was closed; an open tip must be
reviewed every `RETENTION_REVIEW_DAYS` and is purged once `RETENTION_MAX_UNREVIEWED_DAYS` (five
years, 28 CFR Part 23) pass without a review. A review starts every period again. `0` days means
"due at the next run". A tip under legal hold is never purged, whatever its dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tips.models import CloseReason, Status

_PERIOD_SETTINGS = {
    CloseReason.SPAM: "RETENTION_SPAM_DAYS",
    CloseReason.UNFOUNDED: "RETENTION_UNFOUNDED_DAYS",
    CloseReason.INSUFFICIENT_INFORMATION: "RETENTION_INSUFFICIENT_INFORMATION_DAYS",
    CloseReason.DUPLICATE: "RETENTION_DUPLICATE_DAYS",
    CloseReason.RESOLVED: "RETENTION_RESOLVED_DAYS",
}


@dataclass(frozen=True)
class Period:
    setting: str
    label: str
    days: int


def _days(setting: str) -> int:
    return max(0, int(getattr(settings, setting)))


def close_period_days(close_reason: str) -> int:
    return _days(_PERIOD_SETTINGS[CloseReason(close_reason)])


def review_days() -> int:
    # Never more than the five-year limit: a review is due before the tip would go.
    return min(_days("RETENTION_REVIEW_DAYS"), _days("RETENTION_MAX_UNREVIEWED_DAYS"))


def grace() -> timedelta:
    return timedelta(days=_days("RETENTION_GRACE_DAYS"))


def warning_lead() -> timedelta:
    return timedelta(days=_days("RETENTION_WARNING_DAYS"))


def purge_after_closing(close_reason: str, closed_at: datetime) -> datetime:
    return closed_at + timedelta(days=close_period_days(close_reason))


def review_due_from(moment: datetime) -> datetime:
    return moment + timedelta(days=review_days())


def unreviewed_limit_from(moment: datetime) -> datetime:
    return moment + timedelta(days=_days("RETENTION_MAX_UNREVIEWED_DAYS"))


def default_review_due() -> datetime:
    return review_due_from(timezone.now())


def default_unreviewed_limit() -> datetime:
    return unreviewed_limit_from(timezone.now())


def due_by(moment: datetime) -> Q:
    """Tips whose date has come by `moment`, held or not: closed ones past `purge_after`, open
    ones past the unreviewed limit."""
    return Q(status=Status.CLOSED, purge_after__lte=moment) | (
        ~Q(status=Status.CLOSED) & Q(unreviewed_limit__lte=moment)
    )


def periods() -> list[Period]:
    """What the policy page shows supervisors."""
    rows = [
        Period(setting, str(CloseReason(reason).label), _days(setting))
        for reason, setting in _PERIOD_SETTINGS.items()
    ]
    return rows


def purge_date(
    tip_status: str, purge_after: datetime | None, limit: datetime | None
) -> datetime | None:
    """The date a tip goes if nothing changes: the closed period, or the open tip's limit."""
    return purge_after if tip_status == Status.CLOSED else limit
