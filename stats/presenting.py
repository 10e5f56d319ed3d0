"""The statistics page's sections: each chart with the table of its numbers, labelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from handoffs.models import Outcome
from handoffs.models import Status as HandoffStatus
from partners.models import Organization, Service
from stats import charts
from stats.charts import Chart
from tips.areas import all_areas
from tips.models import CloseReason, PriorityLevel, What
from triage.models import MinorReport, Referral


@dataclass
class Section:
    title: str
    charts: list[Chart]
    figures: list[tuple[str, Any]]


def _value(count: Any) -> int | None:
    """A count as drawn: a protected one ("<5") is not drawn; the table says what it is."""
    return count if isinstance(count, int) else None


def shown(count: Any) -> str:
    if isinstance(count, str):
        return _("fewer than %(n)s") % {"n": count.removeprefix("<")}
    if count is None:
        return "—"
    return str(count)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(value: int | None) -> str:
    return "—" if value is None else _("%(n)s min") % {"n": value}


def _counts(chart_id: str, title: str, counts: dict[str, Any], labels: dict[str, str]) -> Chart:
    names = [labels.get(code, code) or _("Not given") for code in counts]
    svg = charts.bar(chart_id, title, names, [(title, [_value(v) for v in counts.values()])])
    return Chart(
        chart_id,
        title,
        svg,
        [_("Item"), _("Count")],
        [[name, shown(v)] for name, v in zip(names, counts.values(), strict=True)],
    )


def tip_sections(data: dict[str, Any]) -> list[Section]:
    tips, triage, outcomes = data["tips"], data["triage"], data["outcomes"]
    categories = dict(What.choices)
    weeks = [row["week"] for row in tips["by_week"]]
    used = [
        code for code in What.values if any(row["by_category"][code] for row in tips["by_week"])
    ]
    by_week = charts.bar(
        "chart-tips-by-week",
        _("Tips received per week, by category"),
        weeks,
        [
            (str(categories[c]), [_value(r["by_category"][c]) for r in tips["by_week"]])
            for c in used
        ],
        stacked=True,
        horizontal=False,
    )
    week_chart = Chart(
        "chart-tips-by-week",
        _("Tips received per week, by category"),
        by_week,
        [_("Week of"), _("All"), *(str(categories[c]) for c in used)],
        [
            [r["week"], shown(r["count"]), *(shown(r["by_category"][c]) for c in used)]
            for r in tips["by_week"]
        ],
    )
    areas = {area.code: area.label() for area in all_areas()}
    levels = dict(PriorityLevel.choices)
    claim = triage["time_to_claim_minutes"]["by_priority_level"]
    claim_chart = Chart(
        "chart-time-to-claim",
        _("Time to claim, by priority level (minutes)"),
        charts.bar(
            "chart-time-to-claim",
            _("Time to claim, by priority level (minutes)"),
            [str(levels[level]) for level in claim],
            [
                (_("Median"), [claim[level]["median"] for level in claim]),
                (_("90th percentile"), [claim[level]["p90"] for level in claim]),
            ],
        ),
        [_("Priority level"), _("Claimed"), _("Median"), _("90th percentile")],
        [
            [str(levels[level]), shown(t["count"]), _minutes(t["median"]), _minutes(t["p90"])]
            for level, t in claim.items()
        ],
    )
    weekly = triage["within_service_level"]["by_week"]
    sla_chart = Chart(
        "chart-within-service-level",
        _("Share claimed within the service-level time, per week"),
        charts.line(
            "chart-within-service-level",
            _("Share claimed within the service-level time, per week"),
            [row["week"] for row in weekly],
            [(_("Within the service-level time"), [row["share"] for row in weekly])],
        ),
        [_("Week of"), _("Within"), _("Tips"), _("Share")],
        [[r["week"], shown(r["count"]), shown(r["of"]), _share(r["share"])] for r in weekly],
    )
    within = triage["within_service_level"]
    overall = triage["time_to_claim_minutes"]
    return [
        Section(
            _("Tips received"),
            [
                week_chart,
                _counts("chart-tips-by-area", _("Tips by area"), tips["by_area"], areas),
                _counts(
                    "chart-tips-by-level",
                    _("Tips by priority level"),
                    tips["by_priority_level"],
                    {k: str(v) for k, v in levels.items()},
                ),
            ],
            [
                (_("Tips received"), shown(tips["total"])),
                (_("Through the “I need help” door"), _share(tips["help_requests"]["share"])),
                (_("With a minor involved"), _share(tips["minor_involved"]["share"])),
            ],
        ),
        Section(
            _("Triage service levels"),
            [claim_chart, sla_chart],
            [
                (_("Median time to claim"), _minutes(overall["median"])),
                (_("90th percentile time to claim"), _minutes(overall["p90"])),
                (_("Claimed within the service-level time"), _share(within["share"])),
            ],
        ),
        Section(
            _("Outcomes"),
            [
                _counts(
                    "chart-close-reasons",
                    _("Close reasons"),
                    outcomes["close_reasons"],
                    {k: str(v) for k, v in CloseReason.choices},
                ),
                _counts(
                    "chart-referrals",
                    _("Referrals by destination"),
                    outcomes["referrals"],
                    {k: str(v) for k, v in Referral.Destination.choices},
                ),
                _counts(
                    "chart-mandated-reports",
                    _("Mandated reports recorded"),
                    outcomes["mandated_reports"],
                    {k: str(v) for k, v in MinorReport.Agency.choices},
                ),
            ],
            [],
        ),
    ]


def handoff_section(data: dict[str, Any]) -> Section:
    handoffs = data["handoffs"]
    statuses = {k: str(v) for k, v in HandoffStatus.choices}
    names = dict(
        Organization.objects.filter(slug__in=list(handoffs["by_organization"])).values_list(
            "slug", "name"
        )
    )
    orgs = handoffs["by_organization"]
    org_names = [names.get(slug, slug) for slug in orgs]
    org_chart = Chart(
        "chart-handoffs-by-organization",
        _("Handoffs by organization and status"),
        charts.bar(
            "chart-handoffs-by-organization",
            _("Handoffs by organization and status"),
            org_names,
            [(statuses[s], [_value(orgs[o]["by_status"][s]) for o in orgs]) for s in statuses],
            stacked=True,
        ),
        [_("Organization"), _("All"), *statuses.values()],
        [
            [name, shown(orgs[o]["total"]), *(shown(orgs[o]["by_status"][s]) for s in statuses)]
            for name, o in zip(org_names, orgs, strict=True)
        ],
    )
    services = {k: str(v) for k, v in Service.choices}
    asked, given = handoffs["by_service"]["requested"], handoffs["by_service"]["provided"]
    service_chart = Chart(
        "chart-handoffs-by-service",
        _("Services requested and provided"),
        charts.bar(
            "chart-handoffs-by-service",
            _("Services requested and provided"),
            list(services.values()),
            [
                (_("Requested"), [_value(asked[s]) for s in services]),
                (_("Provided"), [_value(given[s]) for s in services]),
            ],
        ),
        [_("Service"), _("Requested"), _("Provided")],
        [[label, shown(asked[s]), shown(given[s])] for s, label in services.items()],
    )
    accept, contact = handoffs["time_to_accept_minutes"], handoffs["time_to_first_contact_minutes"]
    return Section(
        _("Handoffs"),
        [
            org_chart,
            service_chart,
            _counts(
                "chart-handoffs-by-outcome",
                _("Handoff outcomes"),
                handoffs["by_outcome"],
                {k: str(v) for k, v in Outcome.choices},
            ),
        ],
        [
            (_("People referred (handoffs made)"), shown(handoffs["total"])),
            (_("Made with consent"), _share(handoffs["with_consent"]["share"])),
            (_("Median time to accept"), _minutes(accept["median"])),
            (_("90th percentile time to accept"), _minutes(accept["p90"])),
            (_("Median time to first contact"), _minutes(contact["median"])),
            (_("90th percentile time to first contact"), _minutes(contact["p90"])),
        ],
    )
