"""The tip page at 100,000 and 1,000,000 tips: decryption, related tips and the audit trail.

`make bench`, or on its own: `.venv/bin/python -m bench tip_page` (bench/triage_run.py loads
the database; BENCH_TRIAGE_* settings in bench/triage_data/settings.py).

Target: p95 < 60 ms at 1M tips, growing at most 1.2x from the smallest size to the largest.

1. At each size, signed in for real: the tip page of each real tip, at least
   BENCH_TRIAGE_REQUESTS (300) in all, in alternating rounds with the reference page
   `/staff/`, which reads no tips. Then p50/p95/p99, queries, CPU, the number of related-tip
   candidates each real tip's page decrypts (tips sharing a 16-bit blind index) and the page's
   time against it.
2. At the largest size: the related-tips panel's share of the page (the page without it, the
   panel alone through its API endpoint), EXPLAIN of the candidates query and of a narrower
   shape of it, and a cProfile breakdown.

Measured with this bench on this machine (2 cores), recorded at commit 664b5c3, before related
tips compared the identifiers sealed at submission (docs/bench-experiments.md):
p50 46 -> 58 ms, p95 64 -> 85 ms from 100k to 1M: ~35 ms + 0.7 ms per related-tip candidate, and
with a 16-bit blind index the candidates grow with the number of tips (mean 20 -> 37 here, at
most 200: ~170 ms). Without the related-tips panel 21 / 26 ms; the panel alone (its API
endpoint) 37 / 55 ms.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from bench.harness.pages import (
    Kind,
    compare,
    measure,
    patched,
    phase,
    print_queries,
    reference,
    report,
)
from bench.harness.profile import Step, print_breakdown, print_top, profiled
from bench.harness.report import percentile
from bench.harness.sql import explain, plan_summary
from bench.triage_data.settings import REQUESTS, SIZES, WARMUP
from bench.triage_data.world import World

TARGET_P95 = 60.0
TARGET_GROWTH = 1.2
CANDIDATE_CAP = 200  # reading.related_tips looks at limit * 4 candidates

# Where the tip page's time goes.
STEPS: tuple[Step, ...] = (
    ("whole request (test client)", "django/test/client.py", "request"),
    ("  middleware before/after the view: session", "sessions/backends/db.py", "load save"),
    ("  reading.open_tip", "triage/reading.py", "open_tip"),
    ("  reading.related_tips", "triage/reading.py", "related_tips"),
    ("  reading.audit_trail", "triage/reading.py", "audit_trail"),
    ("  vault: keys.unwrap (hybrid HPKE)", "portal/vault/keys.py", "unwrap"),
    ("  vault: content.decrypt (AES-GCM)", "portal/vault/content.py", "decrypt"),
    ("  audit.record", "audit/record.py", "record"),
    ("  template rendering", "django/template/backends/django.py", "render"),
    ("  all SQL (driver: send + wait)", "django/db/backends/utils.py", "_execute"),
)


def tip_paths(world: World) -> list[str]:
    return [f"/triage/tips/{code}/" for code in world.real_codes]


def at_size(world: World, size: int) -> list[Kind]:
    client = world.signins.client()
    kinds = [
        Kind("tip page (decrypt + related + audit)", tip_paths(world), TARGET_P95, TARGET_GROWTH),
        reference(),
    ]
    load = measure(client, kinds, requests=REQUESTS, warmup=WARMUP)
    report(
        f"tip page at {size:,} tips (at least {REQUESTS} requests of each kind after {WARMUP}"
        " warm-up, ms):",
        kinds,
        measurement="tip_page",
        size=size,
    )
    print(f"  {load}")
    cost_by_candidates(kinds[0], related_candidates(world))
    if size == SIZES[-1]:
        print_queries(kinds[0])
    return kinds


def related_candidates(world: World) -> dict[str, int]:
    """What the related-tips lookup has to rule out: tips sharing a 16-bit blind index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.tip_id, count(DISTINCT s.tip_id) FROM tips_identifier r"
            " JOIN tips_identifier s ON s.kind = r.kind AND s.digest = r.digest"
            " AND s.tip_id <> r.tip_id WHERE r.tip_id <= %s GROUP BY r.tip_id",
            [world.real_max_id],
        )
        by_tip = dict(cursor.fetchall())
    counts = [by_tip.get(tip_id, 0) for tip_id in world.real_ids]
    print(
        f"  related-tip candidates per real tip (tips sharing a 16-bit blind index, each one "
        f"decrypted to confirm; capped at {CANDIDATE_CAP}): mean {sum(counts) / len(counts):.1f},"
        f" max {max(counts)}"
    )
    return {
        path: min(count, CANDIDATE_CAP)
        for path, count in zip(tip_paths(world), counts, strict=True)
    }


def cost_by_candidates(kind: Kind, candidates: dict[str, int]) -> None:
    """The tip page's time against the number of candidates its related-tips lookup decrypts:
    a least-squares line through each tip's median."""
    points = [(candidates[path], percentile(ms, 50)) for path, ms in kind.by_path.items()]
    if len(points) < 3:
        return
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _y in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    base = mean_y - slope * mean_x
    found = []
    for low, high in ((0, 0), (1, 10), (11, 30), (31, 60), (61, CANDIDATE_CAP)):
        inside = [y for x, y in points if low <= x <= high]
        if inside:
            found.append(f"{low}-{high}: {len(inside)} tips, p50 {percentile(inside, 50):.1f}")
    print(
        "  tip page by related-tip candidates (tips, median of their medians, ms): "
        + "; ".join(found)
    )
    print(
        f"  tip page fit: {base:.1f} ms + {slope:.2f} ms per candidate; at the cap of"
        f" {CANDIDATE_CAP} candidates: {base + CANDIDATE_CAP * slope:.0f} ms"
    )


def at_largest(world: World) -> None:
    with phase(world.signins, "the tip page: the related-tips panel") as client:
        related_panel(client, world)
    with phase(world.signins, "the tip page: profile") as client:
        profile(client, world)


def related_panel(client: Any, world: World) -> None:
    """The related-tips panel's share of the page, and the page without it."""
    from triage import reading

    pages = tip_paths(world)
    related = [f"/api/v1/triage/tips/{code}/related/" for code in world.real_codes]
    print(
        f"the tip page at {SIZES[-1]:,} tips: the related-tips panel's share (alternating rounds):"
    )
    kinds = compare(
        client,
        [
            ("as is: tip page", pages, contextlib.nullcontext),
            (
                "tip page without the related-tips panel",
                pages,
                lambda: patched(reading, "related_tips", lambda *_args, **_kwargs: []),
            ),
            ("related tips alone (API .../related/)", related, contextlib.nullcontext),
        ],
        max(REQUESTS, len(pages)),
        WARMUP,
    )
    candidates_query(kinds[0])


def candidates_query(kind: Kind) -> None:
    """EXPLAIN of the related-tips candidates query, and of a narrower shape of it: the same
    candidates by `id IN (identifier subquery)`, no DISTINCT over wide rows."""
    for sql in kind.sqls:
        if sql.startswith('SELECT DISTINCT "tips_tip"'):
            break
    else:
        return
    plan = explain(sql)
    print(f"  related-tips candidates query as run: {plan_summary(plan)}")
    for line in plan:
        print(f"      {line[:150]}")
    exclude = re.search(r'NOT \("tips_tip"\."id" = (\d+)\)', sql)
    if not exclude:
        return
    tip_id = int(exclude.group(1))
    narrow = (
        "SELECT id, code, created_at, category, status, content FROM tips_tip WHERE id IN"
        " (SELECT s.tip_id FROM tips_identifier r JOIN tips_identifier s"
        "  ON s.kind = r.kind AND s.digest = r.digest WHERE r.tip_id = %s)"
        " AND purged_at IS NULL AND id <> %s ORDER BY created_at DESC LIMIT 200"
    )
    narrow_plan = explain(narrow, [tip_id, tip_id])
    print(f"  candidates by id IN (subquery), needed columns only: {plan_summary(narrow_plan)}")


def profile(client: Any, world: World) -> None:
    rounds = 60
    pages = tip_paths(world)
    stream = iter(pages * (rounds // len(pages) + 1))
    print(
        f"where the tip page's time goes: {rounds} requests under cProfile (which inflates"
        " Python-heavy code), cumulative ms per request and share of the whole:"
    )
    table = profiled(lambda: client.get(next(stream), secure=True), rounds)
    print_breakdown([("tip page", table)], STEPS, rounds)
    print("  top functions by own time")
    print_top(table, rounds, 8)
