"""Staff pages timed with Django's test client in this process, signed in for real.

Kinds of request are measured in alternating rounds, so that whatever else the machine does
weighs on all of them alike; each measurement includes a reference page in its rounds and
reports against it.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.harness.cpu import CpuSample, cpu_calibration, wait_for_quiet
from bench.harness.report import percentile, verdict
from bench.harness.signin import StaffSignIn
from bench.harness.sql import TRANSACTION_STATEMENTS, QueryTimer, explain, plan_summary, shorten
from bench.harness.summary import figure

ROUNDS = 6
QUICK_BUDGET = 30.0  # seconds per diagnostic measurement, at least 10 requests
REFERENCE_PATH = "/staff/"
REFERENCE = "reference: /staff/ (reads no tips)"


@dataclass
class Kind:
    """One kind of request: its paths (cycled), timings, queries, and its targets if any."""

    name: str
    paths: list[str]
    p95_target: float | None = None  # ms
    growth_target: float | None = None  # p95 ratio from the smallest size to the largest
    samples: list[float] = field(default_factory=list)
    errors: int = 0
    queries: list[int] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    last: list[tuple[float, str]] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stream = itertools.cycle(self.paths)

    def p(self, q: float) -> float:
        return percentile(self.samples, q)

    @property
    def sqls(self) -> list[str]:
        """The statements of the last instrumented request."""
        return [sql for _ms, sql in self.last]


def reference() -> Kind:
    return Kind(REFERENCE, [REFERENCE_PATH])


def timed(client: Any, kind: Kind, count: int, *, keep: bool, budget: float = 0) -> None:
    """`count` requests, or fewer (at least 10) when `budget` seconds run out."""
    clock = time.perf_counter
    deadline = clock() + budget if budget else float("inf")
    for done in range(count):
        if done >= 10 and clock() > deadline:
            break
        path = next(kind.stream)
        started = clock()
        response = client.get(path, secure=True)
        elapsed = (clock() - started) * 1000
        if response.status_code != 200:
            kind.errors += 1
        if keep:
            kind.samples.append(elapsed)
            kind.by_path.setdefault(path, []).append(elapsed)


def instrumented(client: Any, kind: Kind, count: int) -> None:
    """Queries per request (CaptureQueriesContext) and their time in the driver."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(count):
        timer = QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            response = client.get(next(kind.stream), secure=True)
        assert response.status_code == 200, response.status_code
        statements = [
            q["sql"] for q in captured.captured_queries if q["sql"] not in TRANSACTION_STATEMENTS
        ]
        kind.queries.append(len(statements))
        kind.transactions.append(len(captured.captured_queries) - len(statements))
        kind.db_ms.append(timer.seconds * 1000)
        # The wrapper sees SQL with placeholders; the capture, with the values filled in.
        kind.last = [
            (t * 1000, sql) for (t, _raw), sql in zip(timer.queries, statements, strict=True)
        ]
        for ms, sql in kind.last:
            if ms > kind.slowest[0]:
                kind.slowest = (ms, sql)


def measure(client: Any, kinds: list[Kind], *, requests: int, warmup: int) -> str:
    """Warm-up, then `requests` of each kind (at least one per path) in ROUNDS alternating
    rounds, then 20 instrumented ones each; returns who used the CPU meanwhile."""
    for kind in kinds:
        timed(client, kind, warmup, keep=False)
    before, speed = CpuSample.now(), cpu_calibration()
    for index in range(ROUNDS):
        for kind in kinds:
            share = max(requests, len(kind.paths))
            timed(client, kind, share // ROUNDS + (1 if index < share % ROUNDS else 0), keep=True)
    load = CpuSample.now().since(before)
    after = cpu_calibration()
    for kind in kinds:
        instrumented(client, kind, 20)
    return (
        f"{load}\n  CPU calibration (the same pure-Python work before and after the phase):"
        f" {speed:.1f} / {after:.1f} ms"
    )


def report(title: str, kinds: list[Kind], *, measurement: str = "", size: int = 0) -> None:
    print(title)
    add_figures(measurement, kinds, size)
    print(
        f"  {'':<40} {'p50':>7} {'p95':>7} {'p99':>7} {'queries':>8} {'+txn':>5} {'in db':>7}"
        "  target"
    )
    for kind in kinds:
        p95 = kind.p(95)
        note = ""
        if kind.p95_target is not None:
            note = verdict(p95 < kind.p95_target, f"p95 < {kind.p95_target:g} ms")
        if kind.errors:
            note += f" {kind.errors} non-200"
        counts = f"{min(kind.queries)}-{max(kind.queries)}" if kind.queries else "?"
        txn = max(kind.transactions) if kind.transactions else 0
        db = sum(kind.db_ms) / len(kind.db_ms) if kind.db_ms else 0.0
        print(
            f"  {kind.name:<40} {kind.p(50):7.1f} {p95:7.1f} {kind.p(99):7.1f} {counts:>8} "
            f"{txn:>5} {db:7.1f}  {note}"
        )
    print(
        "  (queries: SQL statements per request, CaptureQueriesContext; +txn: BEGIN/COMMIT it also"
        " logs; in db: mean ms in the database driver, all statements)"
    )
    for kind in kinds:
        ms, sql = kind.slowest
        print(f"  slowest query of {kind.name}: {ms:.1f} ms: {shorten(sql)}")


def add_figures(measurement: str, kinds: list[Kind], size: int) -> None:
    """The summary rows: each kind with a target, against the page that reads no tips."""
    if not measurement:
        return
    base = next((kind for kind in kinds if kind.name == REFERENCE), None)
    for kind in kinds:
        if kind.p95_target is None:
            continue
        p95 = kind.p(95)
        figure(
            measurement,
            f"{kind.name} p95 at {size:,} tips",
            p95,
            unit="ms",
            baseline=base.p(95) if base else None,
            target=f"< {kind.p95_target:g} ms",
            ok=p95 < kind.p95_target and not kind.errors,
        )


def print_queries(kind: Kind) -> None:
    print(f"  the queries of one request, {kind.name}:")
    for ms, sql in kind.last:
        print(f"    {ms:6.2f} ms  {shorten(sql, 150)}")


def report_growth(results: dict[int, list[Kind]], measurement: str = "") -> None:
    """p50/p95 ratios from the smallest size to the largest, raw and divided by the reference
    page's p50 ratio (the machine's drift between the runs, since that page reads no tips)."""
    if len(results) < 2:
        return
    small, large = min(results), max(results)
    before = {kind.name: kind for kind in results[small]}
    after = {kind.name: kind for kind in results[large]}
    speed = after[REFERENCE].p(50) / before[REFERENCE].p(50)
    print(
        f"growth from {small:,} to {large:,} tips: ratio of the two runs, and the same divided"
        f" by the reference page's p50 ratio ({speed:.2f}x):"
    )
    print(f"  {'':<40} {'p50':>7} {'p95':>7} {'p50/ref':>8} {'p95/ref':>8}  target")
    for name, kind in after.items():
        if name == REFERENCE:
            continue
        base = before[name]
        ratio50, ratio95 = kind.p(50) / base.p(50), kind.p(95) / base.p(95)
        note = ""
        if kind.growth_target is not None:
            note = verdict(
                ratio95 / speed <= kind.growth_target,
                f"p95 ratio <= {kind.growth_target:g}, drift removed",
            )
        print(
            f"  {name:<40} {ratio50:6.2f}x {ratio95:6.2f}x {ratio50 / speed:7.2f}x "
            f"{ratio95 / speed:7.2f}x  {note}"
        )
        if measurement and kind.growth_target is not None:
            # Ours: the p95 at the largest size; baseline: the p95 at the smallest, scaled by the
            # reference page's drift, so that the ratio is the growth with the drift removed.
            figure(
                measurement,
                f"{name} growth {small:,} to {large:,} tips",
                kind.p(95),
                unit="ms",
                baseline=base.p(95) * speed,
                target=f"ratio <= {kind.growth_target:g}",
                ok=ratio95 / speed <= kind.growth_target,
            )


@contextlib.contextmanager
def phase(signins: StaffSignIn, name: str) -> Iterator[Any]:
    """One group of diagnostics: after waiting for a quiet machine, signed in afresh (a wait can
    outlast the session's idle timeout); who used the CPU meanwhile is printed after it."""
    wait_for_quiet(name)
    client = signins.client()
    speed = cpu_calibration()
    before = CpuSample.now()
    yield client
    print(
        f"  ({CpuSample.now().since(before)}; CPU calibration {speed:.1f} ms before,"
        f" {cpu_calibration():.1f} ms after)"
    )


def quick(client: Any, name: str, path: str, count: int) -> Kind:
    """Fewer requests, for the diagnostics: p50/p95 and the queries of the last request."""
    kind = Kind(name, [path])
    timed(client, kind, 3, keep=False)
    timed(client, kind, count, keep=True, budget=QUICK_BUDGET)
    instrumented(client, kind, 3)
    return kind


def quick_header() -> None:
    print(f"  {'':<44} {'n':>4} {'p50':>7} {'p95':>7} {'q.':>3}  plan")


def quick_row(kind: Kind, plan_of: Callable[[Kind], str] | None = None) -> None:
    """One diagnostic row; `plan_of` finds the statement whose plan is summarised."""
    summary = ""
    if plan_of is not None:
        try:
            summary = plan_summary(explain(plan_of(kind)))
        except LookupError as exc:
            summary = str(exc)
    note = f" {kind.errors} non-200" if kind.errors else ""
    print(
        f"  {kind.name:<44} {len(kind.samples):>4} {kind.p(50):7.1f} {kind.p(95):7.1f}"
        f" {min(kind.queries):>3}{note}  {summary}"
    )


# A variant of a page: its label, its paths, and the patch (a context manager) it runs under.
Variant = tuple[str, list[str], Callable[[], contextlib.AbstractContextManager[Any]]]


def compare(client: Any, variants: list[Variant], count: int, warmup: int) -> list[Kind]:
    """Variants of a page in alternating rounds, each after a warm-up over all its paths; a
    patch is active only during its own variant's requests."""
    kinds = [Kind(label, paths) for label, paths, _patch in variants]
    for (_label, paths, patch), kind in zip(variants, kinds, strict=True):
        with patch():
            timed(client, kind, len(paths) + warmup, keep=False)
    for index in range(ROUNDS):
        share = count // ROUNDS + (1 if index < count % ROUNDS else 0)
        for (_label, _paths, patch), kind in zip(variants, kinds, strict=True):
            with patch():
                timed(client, kind, share, keep=True)
    for (_label, _paths, patch), kind in zip(variants, kinds, strict=True):
        with patch():
            instrumented(client, kind, 3)
        quick_row(kind)
    return kinds


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """A candidate change, in this process only (no file is edited)."""
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)
