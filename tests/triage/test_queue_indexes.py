"""Every queue filter, and ?include_closed=1, is served by an index named after it.

The plans are read with sequential scans priced out (a test database holds a handful of rows,
where a scan is honestly cheapest): what remains shows that an index exists whose columns
serve the query, in queue order. Without the index the plan names another one, or sorts.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from portal.models import User
from tips.models import Tip
from triage import queue

FILTERED = [
    ("include_closed=1", ("tip_queue_all",)),
    ("category=labor_trafficking", ("tip_queue_by_category",)),
    ("area=wyandotte", ("tip_queue_by_area",)),
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
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", sql_params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", sql_params)
        return "\n".join(str(row) for row in cursor.fetchall())


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "indexes"), FILTERED)
def test_each_queue_filter_reads_its_own_index_in_queue_order(query, indexes):
    user = User.objects.create(username="inv-queue", role="investigator")
    plan = first_page_plan(query, user)

    assert any(index in plan for index in indexes), plan
    # In queue order straight from the index: no sort of the matching rows.
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
