"""The counts behind every statistic, computed by the database for a range of days.

Each function returns `Cells`: counts keyed by (day, category, area, organization id, measure,
code). The roll-up stores them for past days; the page computes them live for the days not yet
rolled up. Every query groups in the database (no row of a tip is read into Python), and none
reads a ciphertext: the counts come from plaintext metadata only.

Times (to claim, to accept, to first contact) are counted in buckets of minutes
(`MINUTE_BUCKETS`, upper bounds): a median or 90th percentile is then the bucket it falls in,
exact to the bucket's bound, and a day of a million tips is still a few hundred rows.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from handoffs.models import Activity, Handoff
from partners.models import Service
from retention.models import TipTombstone
from tips.models import Answer, Tip
from triage.models import MinorReport, Referral

# Upper bounds, in minutes; a time past the last bound counts in OVER.
MINUTE_BUCKETS = (
    1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080, 1440,
    2160, 2880, 4320, 7200, 10080, 20160, 43200,
)  # fmt: skip
OVER = 0  # "longer than the last bound"


class Measure(enum.StrEnum):
    TIPS = "tips"  # code: priority level; tips and tombstones
    TIPS_AREA = "tips_area"  # the same, code "": read by area only
    TRIAGED = "triaged"  # code: priority level; tips still held (a tombstone keeps no claim)
    HELP = "help_requests"  # through the "I need help" door
    MINOR = "minor_involved"  # a minor involved ("yes")
    CLAIM_MINUTES = "claim_minutes"  # code: "level:bucket"
    WITHIN_SLA = "within_sla"  # code: priority level; claimed within its service-level time
    CLOSE_REASON = "close_reason"
    REFERRAL = "referral"  # code: destination
    MANDATED_REPORT = "mandated_report"  # code: agency
    HANDOFF = "handoff"  # code: status
    HANDOFF_CONSENT = "handoff_consent"
    HANDOFF_SERVICE = "handoff_service"  # requested
    HANDOFF_PROVIDED = "handoff_provided"  # provided
    HANDOFF_OUTCOME = "handoff_outcome"
    ACCEPT_MINUTES = "accept_minutes"  # code: bucket
    CONTACT_MINUTES = "contact_minutes"  # code: bucket; to the first contact attempt


Key = tuple[date, str, str, int | None, str, str]
Cells = Counter[Key]


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants from the start of `start` to the end of `end`, in local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _bucketed(queryset: QuerySet[Any], since: str, until: Any) -> QuerySet[Any]:
    """`queryset` annotated with `minutes`: the bucket of the time from `since` to `until`, in
    the database (null when `until` is)."""
    return queryset.alias(_until_at=until).annotate(
        minutes=Case(
            *(
                When(_until_at__lte=F(since) + timedelta(minutes=bound), then=Value(bound))
                for bound in MINUTE_BUCKETS
            ),
            When(_until_at__isnull=False, then=Value(OVER)),
            default=Value(None),
            output_field=IntegerField(),
        )
    )


def _grouped(queryset: Any) -> Iterator[dict[str, Any]]:
    """The rows of a grouped `.values(...).annotate(...)` query (its names are built here, so
    the type checker cannot follow them)."""
    yield from queryset


def _day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def tip_cells(start: date, end: date) -> Cells:
    """Tips received from `start` to `end`: by level, help door, minor, claim time, service
    level and close reason; tombstones count as received and closed."""
    low, high = bounds(start, end)
    cells: Cells = Counter()
    tips = Tip.objects.filter(created_at__gte=low, created_at__lt=high).order_by()
    dims = {"d": _day("created_at"), "c": F("category"), "a": F("area")}
    for row in _grouped(
        tips.values(**dims, level=F("priority_level")).annotate(
            n=Count("pk"),
            help=Count("pk", filter=Q(victim_self_report=True)),
            minor=Count("pk", filter=Q(minor_involved=Answer.YES)),
            within=Count("pk", filter=Q(claimed_at__lte=F("sla_due_at"))),
        )
    ):
        key = (row["d"], row["c"], row["a"], None)
        cells[(*key, Measure.TIPS, row["level"])] += row["n"]
        cells[(*key, Measure.TIPS_AREA, "")] += row["n"]
        cells[(*key, Measure.TRIAGED, row["level"])] += row["n"]
        cells[(*key, Measure.HELP, "")] += row["help"]
        cells[(*key, Measure.MINOR, "")] += row["minor"]
        cells[(*key, Measure.WITHIN_SLA, row["level"])] += row["within"]
    claimed = _bucketed(tips.filter(claimed_at__isnull=False), "created_at", F("claimed_at"))
    for row in _grouped(
        claimed.values(**dims, level=F("priority_level"), m=F("minutes")).annotate(n=Count("pk"))
    ):
        code = f"{row['level']}:{row['m']}"
        cells[(row["d"], row["c"], row["a"], None, Measure.CLAIM_MINUTES, code)] += row["n"]
    closed = tips.exclude(close_reason="")
    for row in _grouped(closed.values(**dims, reason=F("close_reason")).annotate(n=Count("pk"))):
        cells[(row["d"], row["c"], row["a"], None, Measure.CLOSE_REASON, row["reason"])] += row["n"]
    stones = TipTombstone.objects.filter(created_at__gte=low, created_at__lt=high).order_by()
    for row in _grouped(
        stones.values(**dims, level=F("priority_level"), reason=F("close_reason")).annotate(
            n=Count("pk")
        )
    ):
        key = (row["d"], row["c"], row["a"], None)
        cells[(*key, Measure.TIPS, row["level"])] += row["n"]
        cells[(*key, Measure.TIPS_AREA, "")] += row["n"]
        if row["reason"]:
            cells[(*key, Measure.CLOSE_REASON, row["reason"])] += row["n"]
    return cells


def action_cells(start: date, end: date) -> Cells:
    """Referrals and mandated reports made from `start` to `end` (on the day they were made)."""
    low, high = bounds(start, end)
    cells: Cells = Counter()
    sources: list[tuple[QuerySet[Any], str, str, Measure]] = [
        (Referral.objects.all(), "created_at", "destination", Measure.REFERRAL),
        (MinorReport.objects.all(), "made_at", "agency", Measure.MANDATED_REPORT),
    ]
    for queryset, at, code, measure in sources:
        rows = (
            queryset.filter(**{f"{at}__gte": low, f"{at}__lt": high})
            .order_by()
            .values(d=_day(at), c=F("tip__category"), a=F("tip__area"), value=F(code))
            .annotate(n=Count("pk"))
        )
        for row in _grouped(rows):
            cells[(row["d"], row["c"] or "", row["a"] or "", None, measure, row["value"])] += row[
                "n"
            ]
    return cells


def _services(field: str, prefix: str) -> dict[str, Count]:
    # A JSON list of codes, matched as its text: no code is part of another once quoted, and
    # the same expression works on PostgreSQL and SQLite.
    return {
        f"{prefix}{code}": Count("pk", filter=Q(**{f"_{field}_text__contains": f'"{code}"'}))
        for code in Service.values
    }


def handoff_cells(start: date, end: date, organization_id: int | None = None) -> Cells:
    """Handoffs made from `start` to `end`: by organization, status, consent, services asked
    and provided, outcome, time to accept and to the first contact attempt."""
    low, high = bounds(start, end)
    cells: Cells = Counter()
    handoffs = Handoff.objects.filter(created_at__gte=low, created_at__lt=high).order_by()
    if organization_id is not None:
        handoffs = handoffs.filter(organization_id=organization_id)
    dims = {
        "d": _day("created_at"),
        "c": F("tip__category"),
        "a": F("tip__area"),
        "o": F("organization_id"),
    }
    counted = handoffs.alias(
        _services_text=Cast("services", TextField()),
        _services_provided_text=Cast("services_provided", TextField()),
    )
    for row in _grouped(
        counted.values(**dims, st=F("status"), oc=F("outcome")).annotate(
            n=Count("pk"),
            consented=Count("pk", filter=Q(consent__isnull=False)),
            **_services("services", "s_"),
            **_services("services_provided", "p_"),
        )
    ):
        key = (row["d"], row["c"] or "", row["a"] or "", row["o"])
        cells[(*key, Measure.HANDOFF, row["st"])] += row["n"]
        cells[(*key, Measure.HANDOFF_CONSENT, "")] += row["consented"]
        if row["oc"]:
            cells[(*key, Measure.HANDOFF_OUTCOME, row["oc"])] += row["n"]
        for code in Service.values:
            cells[(*key, Measure.HANDOFF_SERVICE, code)] += row[f"s_{code}"]
            cells[(*key, Measure.HANDOFF_PROVIDED, code)] += row[f"p_{code}"]
    first_contact = Subquery(
        Activity.objects.filter(handoff=OuterRef("pk"), kind=Activity.Kind.CONTACT_ATTEMPT)
        .order_by("created_at")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )
    for measure, until in (
        (Measure.ACCEPT_MINUTES, F("accepted_at")),
        (Measure.CONTACT_MINUTES, first_contact),
    ):
        timed = _bucketed(handoffs, "created_at", until).filter(minutes__isnull=False)
        for row in _grouped(timed.values(**dims, m=F("minutes")).annotate(n=Count("pk"))):
            key = (row["d"], row["c"] or "", row["a"] or "", row["o"])
            cells[(*key, measure, str(row["m"]))] += row["n"]
    return cells


def all_cells(start: date, end: date) -> Cells:
    cells = tip_cells(start, end)
    cells.update(action_cells(start, end))
    cells.update(handoff_cells(start, end))
    return Counter({key: n for key, n in cells.items() if n})
