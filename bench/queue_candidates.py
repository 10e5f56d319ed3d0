"""Candidate fixes for the triage queue, tried in the bench only, at the largest size.

`make bench`, or on its own: `.venv/bin/python -m bench queue_candidates` (bench/triage_run.py
loads the database). None of these is in the product: each is an index created in the bench
database or a query shape or page patched in this process (no file edited), timed against the
page as it is, in the same run. Once one ships, its comparison leaves this file and its figures
go to docs/decisions.md.

- Deep pages: the keyset cursor's OR of four conditions is a filter, not an index bound. A row
  comparison over an all-ascending index (score negated) seeks straight to the cursor.
- The queue reads every column of 51 rows, sealed content and keys included (~2.5 KB a row,
  partly TOASTed), and shows none of them: `defer()` the sealed columns.
- The HTML page's time is mostly template rendering: 25 rows a page instead of 50, and choice
  labels from a dict instead of `get_FOO_display`.

Measured with this bench on this machine (2 cores), 1M tips, recorded at commit 664b5c3:
the row comparison with `(level_rank, (priority_score * -1), created_at, id) WHERE NOT status =
'closed'` (27 MB) answers the page at 90% in 10 ms instead of 2 s; the HTML first page
17.5 ms p50 with 25 rows instead of 26.5, 22 ms with labels from a dict.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.harness.pages import compare, patched, phase, quick, quick_header, quick_row
from bench.triage_data.settings import EXTRA_REQUESTS, REQUESTS, SIZES, WARMUP
from bench.triage_data.world import World
from bench.triage_queue import QUEUE_API, far_cursor, queue_sql

HEAVY_COLUMNS = ("content", "contact", "tipster_public_key", "receipt_lookup")
ROW_ORDER_SQL = '("tips_tip"."priority_score" * -1)'
CANDIDATE_INDEXES = {
    # keyset cursor as one row comparison: every column ascending, the score negated
    "bench_queue_rowcmp": "CREATE INDEX bench_queue_rowcmp ON tips_tip"
    " (level_rank, (priority_score * -1), created_at, id) WHERE NOT (status = 'closed')",
}


@contextlib.contextmanager
def candidate_index(name: str) -> Iterator[float]:
    """The index built (and the table analysed) for the block; yields the build time."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATE_INDEXES[name])
        cursor.execute("ANALYZE tips_tip")
    try:
        yield time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def index_size(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [name])
        return cursor.fetchone()[0]


def rowcmp_after(tips: Any, cursor: str) -> Any:
    """Candidate: the keyset cursor as one row comparison the index can seek to."""
    from triage import queue

    rank, score, at, pk = queue._decode_cursor(cursor)
    # Constant SQL, values bound as parameters.
    return tips.extra(  # noqa: S610
        where=[
            f'("tips_tip"."level_rank", {ROW_ORDER_SQL}, "tips_tip"."created_at", "tips_tip"."id")'
            " > (%s, %s, %s, %s)"
        ],
        params=[rank, -score, at, pk],
    )


def rowcmp_order() -> tuple[Any, ...]:
    from django.db.models.expressions import RawSQL

    return ("level_rank", RawSQL(ROW_ORDER_SQL, []).asc(), "created_at", "id")  # noqa: S611


def at_largest(world: World) -> None:
    with phase(world.signins, "queue candidates: indexes and query shapes") as client:
        query_candidates(client)
    with phase(world.signins, "queue candidates: the HTML page's rendering") as client:
        rendering_candidates(client)


def query_candidates(client: Any) -> None:
    from triage import queue

    def row(name: str, path: str, count: int = EXTRA_REQUESTS, *, plan: bool = True) -> None:
        quick_row(quick(client, name, path, count), queue_sql if plan else None)

    far_path = f"{QUEUE_API}?cursor={far_cursor(0.9)}"
    print(f"queue candidates at {SIZES[-1]:,} tips, each against the page as it is, measured now:")
    quick_header()
    row("as is: API page at 90%", far_path)
    with candidate_index("bench_queue_rowcmp") as built:
        with patched(queue, "after", rowcmp_after), patched(queue, "ORDER", rowcmp_order()):
            row("row comparison + index: API page at 90%", far_path)
            row("row comparison + index: API first page", QUEUE_API)
            row("row comparison + index: HTML first page", "/triage/")
        print(
            f"    (index bench_queue_rowcmp: built in {built:.1f} s, "
            f"{index_size('bench_queue_rowcmp')})"
        )
    original_page = queue.page

    def page_deferred(tips: Any, *, cursor: str = "", size: int = queue.PAGE_SIZE) -> Any:
        return original_page(tips.defer(*HEAVY_COLUMNS), cursor=cursor, size=size)

    for label, path in (("HTML first page", "/triage/"), ("API first page", QUEUE_API)):
        row(f"as is: {label}", path, REQUESTS, plan=False)
        with patched(queue, "page", page_deferred):
            row(f"defer(sealed columns): {label}", path, REQUESTS, plan=False)


def rendering_candidates(client: Any) -> None:
    """The HTML queue's time is mostly template rendering: per row, and the labels' share."""
    from tips.models import Tip
    from triage import queue

    original_page = queue.page

    def page_25(tips: Any, *, cursor: str = "", size: int = queue.PAGE_SIZE) -> Any:
        return original_page(tips, cursor=cursor, size=25)

    labels = {
        name: dict(Tip._meta.get_field(name).flatchoices)
        for name in ("status", "category", "priority_level")
    }

    def label_of(name: str) -> Callable[[Any], str]:
        def display(tip: Any) -> str:
            value = getattr(tip, name)
            return str(labels[name].get(value, value))

        return display

    @contextlib.contextmanager
    def dict_labels() -> Iterator[None]:
        with (
            patched(Tip, "get_status_display", label_of("status")),
            patched(Tip, "get_category_display", label_of("category")),
            patched(Tip, "get_priority_level_display", label_of("priority_level")),
        ):
            yield

    print("the HTML queue page: what its rendering costs (alternating rounds):")
    quick_header()
    compare(
        client,
        [
            ("as is: HTML first page (50 rows)", ["/triage/"], contextlib.nullcontext),
            ("25 rows a page", ["/triage/"], lambda: patched(queue, "page", page_25)),
            ("labels by dict, not get_FOO_display", ["/triage/"], dict_labels),
        ],
        REQUESTS,
        WARMUP,
    )
