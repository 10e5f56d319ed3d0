"""Keeping the daily roll-ups, and reading counts for a date range from them.

`roll_up()` runs on beat (hourly): it rolls up every day before today not yet rolled up, and
rolls up again each past day on which something changed since its last run (a tip claimed,
recategorized or closed, a handoff answered, a referral made: their `updated_at` or creation
time tells which days). `read()` sums the stored rows of the days rolled up and computes the
rest (today, and any day the roll-up has not reached) live, with the same queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from handoffs.models import Handoff
from retention.models import TipTombstone
from stats import facts
from stats.facts import Cells, Measure
from stats.models import DailyCount, RollupState
from tips.models import Tip
from triage.models import MinorReport, Referral

# Days rolled up in one pass of the first run, so a long history is stored in pieces.
CHUNK_DAYS = 31


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    area: str = ""
    category: str = ""

    def as_audit(self) -> dict[str, str]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "area": self.area,
            "category": self.category,
        }


def _days(queryset: QuerySet[Tip] | QuerySet[Handoff], field: str) -> set[date]:
    zone = timezone.get_current_timezone()
    return set(queryset.order_by().values_list(TruncDate(field, tzinfo=zone), flat=True).distinct())


def _changed_days(since: datetime) -> set[date]:
    """The days whose counts may have changed since `since`."""
    days = _days(Tip.objects.filter(updated_at__gte=since), "created_at")
    days |= _days(TipTombstone.objects.filter(purged_at__gte=since), "created_at")  # type: ignore[arg-type]
    days |= _days(Handoff.objects.filter(updated_at__gte=since), "created_at")
    days |= _days(Referral.objects.filter(created_at__gte=since), "created_at")  # type: ignore[arg-type]
    days |= _days(MinorReport.objects.filter(made_at__gte=since), "made_at")  # type: ignore[arg-type]
    return days


def _first_day() -> date | None:
    firsts = [
        Tip.objects.aggregate(first=Min("created_at"))["first"],
        TipTombstone.objects.aggregate(first=Min("created_at"))["first"],
        Handoff.objects.aggregate(first=Min("created_at"))["first"],
    ]
    known = [timezone.localdate(first) for first in firsts if first is not None]
    return min(known) if known else None


ANY = "*"  # category or area of a row of the ALL grain: summed over them


def collapsed(cells: Cells) -> Cells:
    """The ALL grain of `cells`: summed over category and area, except the tips by category
    (kept by category) and by area (kept by area)."""
    summed: Cells = Counter()
    for (day, category, area, organization, measure, code), count in cells.items():
        if measure == Measure.TIPS:
            key = (day, category, ANY, organization, measure, code)
        elif measure == Measure.TIPS_AREA:
            key = (day, ANY, area, organization, measure, code)
        else:
            key = (day, ANY, ANY, organization, measure, code)
        summed[key] += count
    return summed


@transaction.atomic
def _store(start: date, end: date) -> int:
    cells = facts.all_cells(start, end)
    DailyCount.objects.filter(day__gte=start, day__lte=end).delete()
    rows = [(DailyCount.Grain.DETAIL, cells), (DailyCount.Grain.ALL, collapsed(cells))]
    DailyCount.objects.bulk_create(
        (
            DailyCount(
                grain=grain,
                day=day,
                week=day - timedelta(days=day.weekday()),
                category=category,
                area=area,
                organization_id=organization,
                measure=measure,
                code=code,
                count=count,
            )
            for grain, part in rows
            for (day, category, area, organization, measure, code), count in part.items()
        ),
        batch_size=2000,
    )
    return len(cells)


def roll_up(now: datetime | None = None) -> int:
    """Roll up what is due; returns the number of days stored. Safe to run twice or at once:
    a day's rows are replaced in one transaction."""
    now = now or timezone.now()
    through = timezone.localdate(now) - timedelta(days=1)
    state, _ = RollupState.objects.get_or_create(pk=1)
    due: set[date] = set()
    if state.last_run is not None:
        due = {day for day in _changed_days(state.last_run) if day <= through}
    first = state.rolled_through + timedelta(days=1) if state.rolled_through else _first_day()
    stored = 0
    while first is not None and first <= through:
        last = min(first + timedelta(days=CHUNK_DAYS - 1), through)
        _store(first, last)
        due = {day for day in due if not first <= day <= last}
        stored += (last - first).days + 1
        first = last + timedelta(days=1)
    for day in sorted(due):
        _store(day, day)
        stored += 1
    RollupState.objects.filter(pk=1).update(
        rolled_through=max(through, state.rolled_through or through), last_run=now
    )
    return stored


# What each measure is summed by when read: the weekly series by week (tips by category too),
# the tips by area by area, handoffs by organization; everything else by its code only. Summed
# in the database, so what Python reads stays small however many days and tips there are.
_WEEKLY = (Measure.TIPS, Measure.TRIAGED, Measure.WITHIN_SLA)


def _summed(stored: QuerySet[DailyCount]) -> Cells:
    cells: Cells = Counter()
    weekly = (
        stored.filter(measure__in=_WEEKLY)
        .values_list("week", "category", "measure", "code")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for week, category, measure, code, total in weekly:
        cells[(week, category if measure == Measure.TIPS else "", "", None, measure, code)] += total
    areas = (
        stored.filter(measure=Measure.TIPS_AREA)
        .values_list("area")
        .annotate(first=Min("day"), total=Sum("count"))
        .order_by()
    )
    for area, first, total in areas:
        cells[(first, "", area, None, Measure.TIPS_AREA, "")] += total
    rest = (
        stored.exclude(measure__in=(*_WEEKLY, Measure.TIPS_AREA))
        .values_list("organization_id", "measure", "code")
        .annotate(first=Min("day"), total=Sum("count"))
        .order_by()
    )
    for organization, measure, code, first, total in rest:
        cells[(first, "", "", organization, measure, code)] += total
    return cells


def read(filters: Filters, organization_id: int | None = None) -> Cells:
    """The counts of `filters`' range: stored rows where rolled up, live counts for the rest."""
    state = RollupState.objects.filter(pk=1).first()
    rolled = state.rolled_through if state else None
    cells: Cells = Counter()
    live_from = filters.start
    if rolled is not None and filters.start <= rolled:
        # Unfiltered, the ALL grain; filtered, the detail rows of that area or category.
        grain = (
            DailyCount.Grain.DETAIL if filters.area or filters.category else DailyCount.Grain.ALL
        )
        stored = DailyCount.objects.filter(
            grain=grain, day__gte=filters.start, day__lte=min(filters.end, rolled)
        )
        if filters.area:
            stored = stored.filter(area=filters.area)
        if filters.category:
            stored = stored.filter(category=filters.category)
        if organization_id is not None:
            stored = stored.filter(organization_id=organization_id)
        cells.update(_summed(stored))
        live_from = rolled + timedelta(days=1)
    if live_from <= filters.end:
        if organization_id is not None:
            live = facts.handoff_cells(live_from, filters.end, organization_id)
        else:
            live = facts.all_cells(live_from, filters.end)
        for key, count in live.items():
            if (filters.area and key[2] != filters.area) or (
                filters.category and key[1] != filters.category
            ):
                continue
            cells[key] += count
    return cells
