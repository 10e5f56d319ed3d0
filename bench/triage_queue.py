"""The triage queue at 100,000 and 1,000,000 tips: its first page, filters, pages far down.

`make bench`, or on its own: `.venv/bin/python -m bench queue` (bench/triage_run.py loads the
database; BENCH_TRIAGE_* settings in bench/triage_data/settings.py).

Targets: the first page p95 < 40 ms at 1M tips, every filter (and `?include_closed=1`) p95
< 50 ms, and each of their p95 grows at most 1.2x from 100k to 1M tips, once divided by the
reference page's growth (the machine's drift).

1. At each size, signed in for real: after BENCH_TRIAGE_WARMUP requests of each kind,
   BENCH_TRIAGE_REQUESTS (300) of each in alternating rounds: the first page (HTML and API),
   `?status=new`, each filter of FILTER_QUERIES, a page BENCH_TRIAGE_DEEP_PAGES (20) `next`
   cursors deep (API and HTML), and the reference page `/staff/`, which reads no tips. Then
   p50/p95/p99, queries per request and their time in the driver, the slowest query of each
   kind, who used the CPU, and EXPLAIN (ANALYZE, BUFFERS) of the queue query as Django ran
   it: which index serves it.
2. Growth from the smallest size to the largest, raw and divided by the reference page's.
3. At the largest size, BENCH_TRIAGE_EXTRA_REQUESTS (60) of each: other filters and pages a
   quarter, half and 90% down the queue; then a cProfile breakdown of the first page.

Measured with this bench on this machine (2 cores, others < 10% of the CPU), recorded at commit
664b5c3:
- First page, 1M tips: HTML p50 27 / p95 36 ms, API 10 / 14 ms, growth from 100k 0.93-1.0x at
  p95. The queue query is an Index Scan on tip_open_queue, 0.1-0.2 ms; the page's six queries
  ~4 ms. The rest of the HTML page is template rendering (~2,350 gettext calls a page, mostly
  `get_FOO_display` hashing lazy choice labels); see bench/queue_candidates.py.
- Pages far down the queue are not what the keyset cursor promises: its OR of four conditions
  is a filter, not an index bound, so the scan reads every row before the cursor: page 21 costs
  ~1.5 ms (1,000 rows skipped), a page halfway down 700k open tips 1.2 s, at 90% 2 s.
- `?priority_level=low`: 26 ms (an index range on level_rank). `?include_closed=1`: 0.7-0.8 s
  (sequential scan, top-N sort).
"""

from __future__ import annotations

import re
from typing import Any

from bench.harness.pages import (
    Kind,
    measure,
    phase,
    print_queries,
    quick,
    quick_header,
    quick_row,
    reference,
    report,
)
from bench.harness.profile import Step, print_breakdown, print_top, profiled
from bench.harness.sql import explain, plan_summary, shorten
from bench.triage_data.settings import DEEP_PAGES, EXTRA_REQUESTS, REQUESTS, SIZES, WARMUP
from bench.triage_data.world import World

TARGET_P95 = 40.0
TARGET_FILTER_P95 = 50.0
TARGET_GROWTH = 1.2
# The queue's indexes (tips/models.py): the open queue, by status, and one per filter.
QUEUE_INDEXES = (
    "tip_open_queue",
    "tip_queue_by_status",
    "tip_queue_all",
    "tip_queue_by_category",
    "tip_queue_by_area",
    "tip_queue_by_assignee",
    "tip_queue_unclaimed",
)
FILTER_QUERIES = (
    "include_closed=1",
    "status=referred",
    "priority_level=low",
    "category=labor_trafficking",
    "area=olathe",
    "mine=1",
    "unclaimed=1",
)
QUEUE_API = "/api/v1/triage/tips/"

# Where a queue page's time goes.
STEPS: tuple[Step, ...] = (
    ("whole request (test client)", "django/test/client.py", "request"),
    ("  middleware before/after the view: session", "sessions/backends/db.py", "load save"),
    ("  queue.page (query + rows)", "triage/queue.py", "page"),
    ("  template rendering", "django/template/backends/django.py", "render"),
    ("  DRF rendering (JSON)", "rest_framework/renderers.py", "render"),
    ("  all SQL (driver: send + wait)", "django/db/backends/utils.py", "_execute"),
)


def api_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def deep_cursor(client: Any, pages: int) -> str:
    """Follow the API's `next` link up to `pages` times; the cursor of the page reached."""
    path, cursor = QUEUE_API, ""
    for _ in range(pages):
        following = client.get(path, secure=True).json()["next"]
        if not following:  # a small database ends sooner
            break
        path = api_path(following)
        cursor = path.split("cursor=", 1)[1]
    return cursor


def far_cursor(fraction: float) -> str:
    """The cursor of the open-queue row `fraction` of the way down (for a far page)."""
    from django.db import connection

    from tips.models import Tip
    from triage import queue

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tips_tip WHERE NOT (status = 'closed')")
        offset = int(cursor.fetchone()[0] * fraction)
        cursor.execute(
            "SELECT id FROM tips_tip WHERE purged_at IS NULL AND NOT (status = 'closed')"
            " ORDER BY level_rank, priority_score DESC, created_at, id OFFSET %s LIMIT 1",
            [offset],
        )
        tip_id = cursor.fetchone()[0]
    return queue.encode_cursor(Tip.objects.get(pk=tip_id))


def queue_sql(kind: Kind) -> str:
    """The queue query Django ran for this kind's last request (tips_tip, ordered, LIMIT)."""
    for sql in kind.sqls:
        if sql.startswith('SELECT "tips_tip"."id"') and " ORDER BY " in sql and " LIMIT " in sql:
            return sql
    raise LookupError(f"no queue query in {kind.name}")


def explain_queue(kinds: list[Kind], *, full: bool) -> None:
    print("  EXPLAIN (ANALYZE, BUFFERS) of the queue query each page ran:")
    for kind in kinds:
        if not kind.name.startswith("queue"):
            continue
        sql = queue_sql(kind)
        if full and kind is kinds[0]:
            print(f"    SQL: {shorten(sql, 2000)}")
        plan = explain(sql)
        uses = [name for name in QUEUE_INDEXES if name in "".join(plan)]
        index = ", ".join(uses) or "NO queue index"
        print(f"  {kind.name}: index {index}: {plan_summary(plan)}")
        if full:
            for line in plan:
                print(f"      {line[:150]}")


def at_size(world: World, size: int) -> list[Kind]:
    client = world.signins.client()
    cursor = deep_cursor(client, DEEP_PAGES)
    page = f"page {DEEP_PAGES + 1}"
    kinds = [
        Kind("queue, first page (HTML)", ["/triage/"], TARGET_P95, TARGET_GROWTH),
        Kind("queue, first page (API)", [QUEUE_API], TARGET_P95, TARGET_GROWTH),
        Kind("queue ?status=new (HTML)", ["/triage/?status=new"]),
        # Every filter, each served by its own index (tips/models.py, `tip_queue_*`).
        *[
            Kind(f"queue ?{query} (HTML)", [f"/triage/?{query}"], TARGET_FILTER_P95, TARGET_GROWTH)
            for query in FILTER_QUERIES
        ],
        Kind(f"queue, {page} (API)", [f"{QUEUE_API}?cursor={cursor}"]),
        Kind(f"queue, {page} (HTML)", [f"/triage/?cursor={cursor}"]),
        reference(),
    ]
    load = measure(client, kinds, requests=REQUESTS, warmup=WARMUP)
    report(
        f"queue at {size:,} tips ({REQUESTS} requests of each kind after {WARMUP} warm-up, ms):",
        kinds,
        measurement="queue",
        size=size,
    )
    print(f"  {load}")
    if size == SIZES[-1]:
        print_queries(kinds[0])
    explain_queue(kinds, full=size in (SIZES[0], SIZES[-1]))
    return kinds


def at_largest(world: World) -> None:
    with phase(world.signins, "the queue: filters and far pages") as client:
        filters_and_far_pages(client)
    with phase(world.signins, "the queue: profile") as client:
        profile(client)


def filters_and_far_pages(client: Any) -> None:
    print(
        f"the queue at {SIZES[-1]:,} tips, more of it ({EXTRA_REQUESTS} requests each, ms; the"
        " plan is EXPLAIN ANALYZE of the queue query the page ran):"
    )
    quick_header()
    far = {fraction: far_cursor(fraction) for fraction in (0.25, 0.5, 0.9)}
    for label, path in [
        ("queue ?priority_level=low", "/triage/?priority_level=low"),
        ("queue ?priority_level=urgent", "/triage/?priority_level=urgent"),
        ("queue ?status=referred (3% of tips)", "/triage/?status=referred"),
        ("queue ?status=closed", "/triage/?status=closed"),
        ("queue ?include_closed=1", "/triage/?include_closed=1"),
        ("queue ?mine=1", "/triage/?mine=1"),
        ("queue ?unclaimed=1", "/triage/?unclaimed=1"),
        ("queue ?category=labor_trafficking", "/triage/?category=labor_trafficking"),
        ("queue ?area=olathe&category=online_enticement",
         "/triage/?area=olathe&category=online_enticement"),
        *[(f"queue API, page at {int(f * 100)}% of the queue", f"{QUEUE_API}?cursor={c}")
          for f, c in far.items()],
    ]:  # fmt: skip
        quick_row(quick(client, label, path, EXTRA_REQUESTS), queue_sql)


def profile(client: Any) -> None:
    rounds = 60
    pages = (("queue, first page (HTML)", "/triage/"), ("queue, first page (API)", QUEUE_API))
    print(
        f"where the queue's time goes: {rounds} requests each under cProfile (which inflates"
        " Python-heavy code), cumulative ms per request:"
    )
    tables = [
        (name, profiled(lambda path=path: client.get(path, secure=True), rounds))
        for name, path in pages
    ]
    print_breakdown(tables, STEPS, rounds)
    for name, table in tables:
        print(f"  {name}: top functions by own time")
        print_top(table, rounds, 8)
