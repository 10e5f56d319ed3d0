"""The statistics a page, the API and the export show, summed from the day counts.

`summarize()` builds the JSON of `GET /api/v1/statistics/` (DESIGN.md §10). With `min_cell`
(exports and partner views) every count from 1 to `min_cell - 1` becomes the string "<N", a
share resting on such a count becomes null, and so does a median or 90th percentile of fewer
than `min_cell` times: no number can point at one person.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from handoffs.models import Outcome
from handoffs.models import Status as HandoffStatus
from partners.models import Organization, Service
from stats.facts import MINUTE_BUCKETS, OVER, Cells, Measure
from stats.rollup import Filters
from tips.models import CloseReason, PriorityLevel, What
from triage.models import MinorReport, Referral

Count = int | str  # a count, or "<N" when protected


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(filters: Filters) -> list[date]:
    first, last = monday(filters.start), monday(filters.end)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def percentile(buckets: Counter[int], fraction: float) -> int | None:
    """The bucket bound the `fraction` of times fall within (nearest rank); null when none."""
    total = sum(buckets.values())
    if not total:
        return None
    rank, seen = math.ceil(fraction * total), 0
    for bound in (*MINUTE_BUCKETS, OVER):
        seen += buckets.get(bound, 0)
        if seen >= rank:
            # Past the last bound: reported as the last bound ("at least that long").
            return bound if bound != OVER else MINUTE_BUCKETS[-1]
    return None  # pragma: no cover - the ranks add up to the total


class Summary:
    def __init__(self, cells: Cells, filters: Filters, min_cell: int | None) -> None:
        self.filters, self.min_cell = filters, min_cell
        # measure -> code -> count; and the same by week, category, area, organization.
        self.by_code: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_week: dict[str, dict[date, Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        self.tips_by_week_category: dict[date, Counter[str]] = defaultdict(Counter)
        self.tips_by_area: Counter[str] = Counter()
        self.handoffs_by_org: dict[int, Counter[str]] = defaultdict(Counter)
        for (day, category, area, organization, measure, code), count in cells.items():
            self.by_code[measure][code] += count
            self.by_week[measure][monday(day)][code] += count
            if measure == Measure.TIPS:
                self.tips_by_week_category[monday(day)][category] += count
            elif measure == Measure.TIPS_AREA:
                self.tips_by_area[area] += count
            elif measure == Measure.HANDOFF and organization is not None:
                self.handoffs_by_org[organization][code] += count

    # Protection of small numbers.
    def count(self, value: int) -> Count:
        if self.min_cell and 0 < value < self.min_cell:
            return f"<{self.min_cell}"
        return value

    def share(self, part: int, whole: int) -> float | None:
        if not whole or (self.min_cell and (0 < part < self.min_cell or whole < self.min_cell)):
            return None
        return round(part / whole, 4)

    def counts(self, counter: Counter[str], codes: list[str] | None = None) -> dict[str, Count]:
        keys = codes if codes is not None else sorted(counter)
        return {key: self.count(counter.get(key, 0)) for key in keys}

    def times(self, buckets: Counter[str], prefix: str = "") -> dict[str, Any]:
        minutes: Counter[int] = Counter()
        for code, n in buckets.items():
            if code.startswith(prefix):
                minutes[int(code.removeprefix(prefix))] += n
        observed = sum(minutes.values())
        if self.min_cell and observed < self.min_cell:
            return {"median": None, "p90": None, "count": self.count(observed)}
        return {
            "median": percentile(minutes, 0.5),
            "p90": percentile(minutes, 0.9),
            "count": observed,
        }

    # The four parts.
    def tips(self) -> dict[str, Any]:
        tips = self.by_code[Measure.TIPS]
        triaged = sum(self.by_code[Measure.TRIAGED].values())
        help_count = sum(self.by_code[Measure.HELP].values())
        minor_count = sum(self.by_code[Measure.MINOR].values())
        categories = list(What.values)
        return {
            "total": self.count(sum(tips.values())),
            "by_week": [
                {
                    "week": week.isoformat(),
                    "count": self.count(sum(self.tips_by_week_category[week].values())),
                    "by_category": self.counts(self.tips_by_week_category[week], categories),
                }
                for week in weeks(self.filters)
            ],
            "by_area": self.counts(self.tips_by_area),
            "by_priority_level": self.counts(tips, list(PriorityLevel.values)),
            "help_requests": {
                "count": self.count(help_count),
                "share": self.share(help_count, triaged),
            },
            "minor_involved": {
                "count": self.count(minor_count),
                "share": self.share(minor_count, triaged),
            },
        }

    def triage(self) -> dict[str, Any]:
        claims = self.by_code[Measure.CLAIM_MINUTES]
        within, triaged = self.by_code[Measure.WITHIN_SLA], self.by_code[Measure.TRIAGED]
        levels = list(PriorityLevel.values)
        weekly_within, weekly_triaged = (
            self.by_week[Measure.WITHIN_SLA],
            self.by_week[Measure.TRIAGED],
        )
        return {
            "time_to_claim_minutes": {
                **self.times(self._all_levels(claims)),
                "by_priority_level": {level: self.times(claims, f"{level}:") for level in levels},
            },
            "within_service_level": {
                "count": self.count(sum(within.values())),
                "of": self.count(sum(triaged.values())),
                "share": self.share(sum(within.values()), sum(triaged.values())),
                "by_priority_level": {
                    level: self.share(within[level], triaged[level]) for level in levels
                },
                "by_week": [
                    {
                        "week": week.isoformat(),
                        "count": self.count(sum(weekly_within[week].values())),
                        "of": self.count(sum(weekly_triaged[week].values())),
                        "share": self.share(
                            sum(weekly_within[week].values()), sum(weekly_triaged[week].values())
                        ),
                    }
                    for week in weeks(self.filters)
                ],
            },
        }

    @staticmethod
    def _all_levels(claims: Counter[str]) -> Counter[str]:
        merged: Counter[str] = Counter()
        for code, n in claims.items():
            merged[code.split(":", 1)[1]] += n
        return merged

    def outcomes(self) -> dict[str, Any]:
        return {
            "close_reasons": self.counts(
                self.by_code[Measure.CLOSE_REASON], list(CloseReason.values)
            ),
            "referrals": self.counts(
                self.by_code[Measure.REFERRAL], list(Referral.Destination.values)
            ),
            "mandated_reports": self.counts(
                self.by_code[Measure.MANDATED_REPORT], list(MinorReport.Agency.values)
            ),
        }

    def handoffs(self) -> dict[str, Any]:
        statuses = list(HandoffStatus.values)
        total = sum(self.by_code[Measure.HANDOFF].values())
        consent = sum(self.by_code[Measure.HANDOFF_CONSENT].values())
        slugs = dict(
            Organization.objects.filter(pk__in=list(self.handoffs_by_org)).values_list("pk", "slug")
        )
        return {
            "total": self.count(total),
            "by_status": self.counts(self.by_code[Measure.HANDOFF], statuses),
            "by_organization": {
                slugs[pk]: {
                    "total": self.count(sum(counter.values())),
                    "by_status": self.counts(counter, statuses),
                }
                for pk, counter in sorted(self.handoffs_by_org.items(), key=lambda i: slugs[i[0]])
            },
            "by_service": {
                "requested": self.counts(
                    self.by_code[Measure.HANDOFF_SERVICE], list(Service.values)
                ),
                "provided": self.counts(
                    self.by_code[Measure.HANDOFF_PROVIDED], list(Service.values)
                ),
            },
            "by_outcome": self.counts(self.by_code[Measure.HANDOFF_OUTCOME], list(Outcome.values)),
            "with_consent": {"count": self.count(consent), "share": self.share(consent, total)},
            "time_to_accept_minutes": self.times(self.by_code[Measure.ACCEPT_MINUTES]),
            "time_to_first_contact_minutes": self.times(self.by_code[Measure.CONTACT_MINUTES]),
        }


def summarize(
    cells: Cells, filters: Filters, *, handoffs_only: bool = False, min_cell: int | None = None
) -> dict[str, Any]:
    summary = Summary(cells, filters, min_cell)
    if handoffs_only:
        return {"handoffs": summary.handoffs()}
    return {
        "tips": summary.tips(),
        "triage": summary.triage(),
        "outcomes": summary.outcomes(),
        "handoffs": summary.handoffs(),
    }
