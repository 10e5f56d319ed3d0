"""Every statistic against the known world of conftest.py, live and from the roll-ups."""

from __future__ import annotations

from datetime import date

import pytest

from stats import reading, rollup
from stats.access import Scope
from stats.rollup import Filters

JUNE = Filters(date(2026, 6, 1), date(2026, 6, 17))
ALL = Scope(organization_id=None, tips=True, min_cell=None)


@pytest.fixture(params=["live", "rolled up"])
def numbers(request, world):
    if request.param == "rolled up":
        assert rollup.roll_up() > 0
    return reading.statistics(JUNE, ALL)


def test_it_counts_tips_by_week_area_level_and_door(numbers):
    tips = numbers["tips"]

    assert tips["total"] == 6  # five held, one purged: its tombstone counts
    assert [(w["week"], w["count"]) for w in tips["by_week"]] == [
        ("2026-06-01", 3),
        ("2026-06-08", 2),
        ("2026-06-15", 1),
    ]
    assert tips["by_week"][0]["by_category"]["sex_trafficking"] == 3
    assert tips["by_week"][1]["by_category"]["labor_trafficking"] == 1
    assert tips["by_week"][1]["by_category"]["victim_needs_help"] == 1
    assert tips["by_week"][2]["by_category"] == {
        **dict.fromkeys(tips["by_week"][2]["by_category"], 0),
        "labor_trafficking": 1,
    }
    assert tips["by_area"] == {"lenexa": 2, "olathe": 4}
    assert tips["by_priority_level"] == {"urgent": 2, "high": 1, "normal": 2, "low": 1}
    assert tips["help_requests"] == {"count": 1, "share": 0.2}
    assert tips["minor_involved"] == {"count": 1, "share": 0.2}


def test_it_measures_time_to_claim_and_the_service_level(numbers):
    claim = numbers["triage"]["time_to_claim_minutes"]
    within = numbers["triage"]["within_service_level"]

    assert (claim["median"], claim["p90"], claim["count"]) == (10, 120, 4)
    assert claim["by_priority_level"]["urgent"] == {"median": 5, "p90": 10, "count": 2}
    assert claim["by_priority_level"]["high"] == {"median": 30, "p90": 30, "count": 1}
    assert claim["by_priority_level"]["normal"] == {"median": 120, "p90": 120, "count": 1}
    assert claim["by_priority_level"]["low"] == {"median": None, "p90": None, "count": 0}
    assert (within["count"], within["of"], within["share"]) == (3, 5, 0.6)
    assert within["by_priority_level"] == {"urgent": 1.0, "high": 1.0, "normal": 0.0, "low": 0.0}
    assert [(w["week"], w["share"]) for w in within["by_week"]] == [
        ("2026-06-01", 1.0),
        ("2026-06-08", 0.5),
        ("2026-06-15", 0.0),
    ]


def test_it_counts_outcomes(numbers):
    outcomes = numbers["outcomes"]

    assert {k: v for k, v in outcomes["close_reasons"].items() if v} == {
        "resolved": 1,
        "spam": 1,
        "unfounded": 1,
    }
    assert {k: v for k, v in outcomes["referrals"].items() if v} == {"city_vice": 1, "fbi": 1}
    assert {k: v for k, v in outcomes["mandated_reports"].items() if v} == {"kansas_dcf": 1}


def test_it_counts_handoffs(numbers):
    handoffs = numbers["handoffs"]

    assert handoffs["total"] == 3
    assert handoffs["by_organization"] == {
        "org-a": {
            "total": 2,
            "by_status": {"pending": 0, "accepted": 0, "declined": 1, "closed": 1},
        },
        "org-b": {
            "total": 1,
            "by_status": {"pending": 1, "accepted": 0, "declined": 0, "closed": 0},
        },
    }
    assert {k: v for k, v in handoffs["by_service"]["requested"].items() if v} == {
        "shelter": 1,
        "counseling": 2,
        "housing": 1,
    }
    assert {k: v for k, v in handoffs["by_service"]["provided"].items() if v} == {"shelter": 1}
    assert {k: v for k, v in handoffs["by_outcome"].items() if v} == {"services_provided": 1}
    assert handoffs["with_consent"] == {"count": 1, "share": 0.3333}
    assert handoffs["time_to_accept_minutes"] == {"median": 60, "p90": 60, "count": 1}
    assert handoffs["time_to_first_contact_minutes"] == {"median": 180, "p90": 180, "count": 1}


@pytest.mark.parametrize("rolled_up", [False, True])
def test_it_filters_by_area_and_category(world, rolled_up):
    if rolled_up:
        rollup.roll_up()
    lenexa = reading.statistics(Filters(JUNE.start, JUNE.end, area="lenexa"), ALL)
    sex = reading.statistics(Filters(JUNE.start, JUNE.end, category="sex_trafficking"), ALL)

    assert lenexa["tips"]["total"] == 2
    assert lenexa["handoffs"]["total"] == 0
    assert sex["tips"]["total"] == 3  # t1, t2 and the tombstone; t0 is in May
    assert sex["triage"]["within_service_level"]["of"] == 2  # a tombstone keeps no claim
    assert sex["handoffs"]["by_organization"].keys() == {"org-a", "org-b"}
