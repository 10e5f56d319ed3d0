"""Every queue filter, and ?include_closed=1, is served by an index named after it.

The plans are read on a queue of a few thousand tips with fresh statistics and sequential
scans priced out: the plan then shows that an index exists whose columns serve the query, in
queue order. Without the index the plan names another one, or sorts.
"""

from __future__ import annotations

import os
import uuid
from copy import copy as shallow_copy

import pytest
from django.db import connection, transaction

from portal.models import User
from tips.models import CloseReason, Status, Tip, What
from triage import queue

FILTERED = [
    ("include_closed=1", ("tip_queue_all",)),
    ("category=labor_trafficking", ("tip_queue_by_category",)),
    ("area=area-3", ("tip_queue_by_area",)),
    ("assignee=inv-queue", ("tip_queue_by_assignee",)),
    ("mine=1", ("tip_queue_by_assignee",)),
    # SQLite also reads the assignee index in order from its IS NULL range; PostgreSQL does not.
    ("unclaimed=1", ("tip_queue_unclaimed", "tip_queue_by_assignee")),
    ("status=new", ("tip_queue_by_status",)),
    ("", ("tip_open_queue",)),
]


def first_page_plan(query: str, user: User) -> str:
    params = dict(part.split("=", 1) for part in query.split("&") if part)
    filters, errors = queue.Filters.from_query(params)
    assert not errors
    tips = filters.apply(Tip.objects.filter(purged_at__isnull=True), user)
    rows = tips.select_related("assignee").order_by(*queue.ORDER)[: queue.PAGE_SIZE + 1]
    sql, sql_params = rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Statistics of this test's own table, not whatever an earlier test left behind.
            cursor.execute("ANALYZE tips_tip")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", sql_params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", sql_params)
        return "\n".join(str(row) for row in cursor.fetchall())


@pytest.fixture
def crowded_queue(tip):
    """Copies of a real tip in the proportions of a desk that has run for a while: most tips
    closed, categories and areas spread, few claimed. The planner then has statistics to choose
    between indexes by, as it does at a million tips."""
    user = User.objects.create(username="inv-queue", role="investigator")
    statuses = [Status.CLOSED] * 6 + [Status.NEW, Status.IN_REVIEW, Status.ASSIGNED]
    original, copies = Tip.objects.get(pk=tip.pk), []
    for number in range(2000):
        copy = shallow_copy(original)
        status = statuses[number % len(statuses)]
        copy.pk, copy.code, copy.receipt_lookup = None, uuid.uuid4(), os.urandom(32)
        copy.number = None  # a tip number is given once, at submission
        copy.status = status
        copy.close_reason = CloseReason.RESOLVED if status == Status.CLOSED else ""
        copy.category = What.values[number % len(What.values)]
        copy.area = f"area-{number % 12}"
        copy.level_rank, copy.priority_score = number % 4, number % 101
        copy.assignee = user if status == Status.ASSIGNED else None
        copies.append(copy)
    Tip.objects.bulk_create(copies, batch_size=500)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "indexes"), FILTERED)
def test_each_queue_filter_reads_its_own_index_in_queue_order(query, indexes, crowded_queue):
    plan = first_page_plan(query, crowded_queue)

    assert any(index in plan for index in indexes), plan
    # In queue order straight from the index: no sort of the matching rows.
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
