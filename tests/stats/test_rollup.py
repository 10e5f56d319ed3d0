"""The daily roll-ups: kept on beat, caught up after a change, read with live counts for today,
and read with a number of queries that does not grow with the tips."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import reading, rollup, tasks
from stats.access import Scope
from stats.models import DailyCount, RollupState
from tests.stats.conftest import NOW, at, make_tip
from tests.stats.test_numbers import ALL, JUNE
from tips.models import Tip


def test_it_is_scheduled_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["statistics-roll-up"]

    assert entry["task"] == "stats.tasks.roll_up" and tasks.roll_up.name == entry["task"]


def test_it_rolls_up_every_day_before_today(world):
    stored = tasks.roll_up()

    state = RollupState.objects.get()
    assert state.rolled_through == date(2026, 6, 16)
    assert stored == 17  # from 31 May, the first tip
    assert not DailyCount.objects.filter(day=date(2026, 6, 17)).exists()
    assert rollup.roll_up() == 0  # nothing new, nothing changed


def test_it_counts_today_live(world):
    rollup.roll_up()
    make_tip(NOW - timedelta(hours=1), "other", "olathe", "low")

    assert reading.statistics(JUNE, ALL)["tips"]["total"] == 7


def test_it_rolls_up_a_past_day_again_after_a_change(world, clock):
    rollup.roll_up()
    t5 = world.tips["t5"]
    clock.shift(timedelta(hours=1))
    Tip.objects.filter(pk=t5.pk).update(claimed_at=t5.created_at + timedelta(minutes=60),
                                        updated_at=NOW + timedelta(hours=1))  # fmt: skip
    # Stored rows are what the page reads until the next run...
    before = reading.statistics(JUNE, ALL)["triage"]["within_service_level"]["by_week"][2]
    assert before["count"] == 0

    assert rollup.roll_up() == 1  # ... which stores 16 June again

    after = reading.statistics(JUNE, ALL)["triage"]["within_service_level"]["by_week"][2]
    assert after["count"] == 1


def test_a_day_rolled_up_keeps_counting_a_tip_purged_later(world, clock):
    from retention.models import TipTombstone

    rollup.roll_up()
    t3 = world.tips["t3"]
    TipTombstone.objects.create(code=t3.code, created_at=t3.created_at, closed_at=at(12),
                                purged_at=NOW + timedelta(hours=1), category=t3.category,
                                priority_level=t3.priority_level, area=t3.area,
                                close_reason="resolved")  # fmt: skip
    t3.referrals.all().delete()
    Tip.objects.filter(pk=t3.pk).delete()
    clock.shift(timedelta(hours=1))
    rollup.roll_up()

    numbers = reading.statistics(JUNE, ALL)
    assert numbers["tips"]["total"] == 6
    assert numbers["outcomes"]["close_reasons"]["resolved"] == 1


def _queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        reading.statistics(JUNE, scope)
    return len(captured)


def test_its_queries_do_not_grow_with_the_tips(world):
    rollup.roll_up()
    few = (_queries(ALL), _queries(Scope(world.handoffs["h1"].organization_id, False, 5)))
    for day in range(1, 17):
        for level in ("urgent", "high", "normal", "low"):
            make_tip(at(day, 8), "other", "shawnee", level, claimed_after=day)
    RollupState.objects.all().delete()  # rolled up afresh, with the new tips
    rollup.roll_up()

    many = (_queries(ALL), _queries(Scope(world.handoffs["h1"].organization_id, False, 5)))
    assert many == few
    assert few[0] <= 14  # the roll-up state, two sums, and today live
