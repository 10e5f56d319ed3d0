"""Tip numbers: `T-YYYY-NNNNN`, given at submission, sequential per year, unique under races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from tests.databases import postgres_only
from tests.factories import submission
from tips import actions, numbering
from tips.models import Tip, TipNumberCounter


def test_each_submitted_tip_gets_the_next_number_of_its_year(submit):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        first, second = submit()[0], submit()[0]
    with time_machine.travel(datetime(2027, 1, 2, 12, tzinfo=UTC), tick=False):
        next_year = submit()[0]

    assert [first.number, second.number] == ["T-2026-00001", "T-2026-00002"]
    assert Tip.objects.get(pk=second.pk).number == "T-2026-00002"
    assert next_year.number == "T-2027-00001"
    assert TipNumberCounter.objects.get(year=2026).last == 2


def test_a_retried_submission_keeps_its_number(recovery_key):
    key = "k" * 30
    first = actions.do_submit_tip(submission(), retry_key=key)
    again = actions.do_submit_tip(submission(), retry_key=key)

    assert again.replayed and again.tip.number == first.tip.number
    assert Tip.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("T-2026-00421", "T-2026-00421"),
        ("t-2026-421", "T-2026-00421"),
        (" 2026-421 ", "T-2026-00421"),
        ("T-2026-123456", "T-2026-123456"),
        ("T-2026-0", None),
        ("816-555-0142", None),
        ("olathe", None),
    ],
)
def test_typed_numbers_are_read_in_their_canonical_form(typed, number):
    assert numbering.parse_number(typed) == number


def test_the_migration_numbers_existing_tips_per_year_in_order_of_arrival(submit):
    tips = []
    for when in ("2025-12-31T10:00", "2026-01-02T10:00", "2025-03-01T10:00"):
        with time_machine.travel(datetime.fromisoformat(when + "+00:00"), tick=False):
            tips.append(submit()[0])
    Tip.objects.update(number=None)
    TipNumberCounter.objects.all().delete()

    import_module("tips.migrations.0005_tip_number").number_existing_tips(apps, None)

    numbers = [Tip.objects.get(pk=tip.pk).number for tip in tips]
    assert numbers == ["T-2025-00002", "T-2026-00001", "T-2025-00001"]
    assert dict(TipNumberCounter.objects.values_list("year", "last")) == {2025: 2, 2026: 1}
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC), tick=False):
        assert submit()[0].number == "T-2026-00002"


@postgres_only("concurrent submissions need real row locks")
@pytest.mark.django_db(transaction=True)
def test_racing_submissions_get_different_numbers(recovery_key):
    start = threading.Barrier(4)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def submit_one() -> None:
        try:
            start.wait(timeout=30)
            numbers.append(actions.do_submit_tip(submission()).tip.number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == [1, 2, 3, 4]
