"""Audit log speed: verification throughput against plain hashlib, and the cost of an append.

`make bench`, or on its own: `.venv/bin/python -m bench audit`.

1. The verifier's core loop (`ChainVerifier.feed`) over BENCH_AUDIT_ENTRIES entries (default
   1,000,000) generated a chunk at a time, so memory stays bounded. In the same pass, on the
   same bytes, two hashlib baselines:
     - one SHA-256 per entry: the least any check of every entry must do;
     - the digests the design requires (leaf, chain link, Merkle node), in a bare loop:
       the ratio to this one is the verifier's own overhead.
2. On a scratch database (SQLite file, or PostgreSQL when DATABASE_URL names one): the cost of
   `audit.record()` per entry, and `verify_log()` end to end (queries, index check and all) over
   BENCH_AUDIT_DB_ENTRIES entries (default 200,000).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import resource
import time
from collections.abc import Iterator

from bench.harness.database import scratch_test_database

CHUNK = 4096
ENTRY_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def generate(count: int, chunk: int = CHUNK) -> Iterator[list[tuple[int, bytes, bytes, bytes]]]:
    """Realistic entries (about 190 bytes each), chained, `chunk` at a time."""
    from audit.encoding import ZERO_HASH, encode_entry, entry_hashes, format_time

    at = format_time(ENTRY_TIME)
    prev = ZERO_HASH
    for start in range(1, count + 1, chunk):
        rows = []
        for seq in range(start, min(start + chunk, count + 1)):
            canon = encode_entry(
                seq=seq,
                at=at,
                actor=str(seq % 40 + 1),
                action=201 + seq % 12,
                target=("tips.tip", f"6f1c2b8e-9a4d-4c1e-8f3a-{seq:012d}"),
                details={"reason": "claimed from the queue", "n": seq % 1000},
            )
            _leaf, chain = entry_hashes(prev, canon)
            rows.append((seq, canon, prev, chain))
            prev = chain
        yield rows


def same_digests(canons: list[bytes], head: bytes) -> bytes:
    """What verification must hash, with nothing else around it."""
    sha = hashlib.sha256
    leaves = [sha(b"\x00" + canon).digest() for canon in canons]
    for leaf in leaves:
        head = sha(head + leaf).digest()
    level = leaves
    while len(level) > 1:
        level = [sha(b"\x01" + a + b).digest() for a, b in zip(level[::2], level[1::2])]  # noqa: B905
    return head


def bench_core(count: int) -> None:
    from audit.chain import ChainVerifier
    from audit.encoding import ZERO_HASH

    verifier = ChainVerifier()
    sha = hashlib.sha256
    spent = {"verify": 0.0, "one digest per entry": 0.0, "same digests, bare loop": 0.0}
    total_bytes, head = 0, ZERO_HASH
    clock = time.perf_counter
    for rows in generate(count):
        canons = [row[1] for row in rows]
        total_bytes += sum(map(len, canons))
        started = clock()
        assert verifier.feed(rows)
        spent["verify"] += clock() - started
        started = clock()
        for canon in canons:
            sha(canon).digest()
        spent["one digest per entry"] += clock() - started
        started = clock()
        head = same_digests(canons, head)
        spent["same digests, bare loop"] += clock() - started
    report = verifier.finish()
    assert report.ok and report.checked == count and report.head == head
    rate = count / spent["verify"]
    print(f"entries: {count:,} ({total_bytes / count:.0f} bytes each on average)")
    print(f"verify (chain + Merkle, core loop): {rate:,.0f} entries/s")
    for name in ("one digest per entry", "same digests, bare loop"):
        baseline = count / spent[name]
        print(f"hashlib, {name}: {baseline:,.0f} entries/s -> ratio {rate / baseline:.2f}")
    print(f"1,000,000 entries verify in {1_000_000 / rate:.2f} s (core loop)")


def bulk_fill(count: int) -> None:
    """Entries inserted directly (appends are measured separately): as record() writes them."""
    from django.db import connection, transaction

    at = connection.ops.adapt_datetimefield_value(ENTRY_TIME)
    sql = (
        "INSERT INTO audit_event (seq, at, actor, action, target_type, target_id, canon, prev,"
        " chain) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    for rows in generate(count):
        values = [
            (
                seq,
                at,
                str(seq % 40 + 1),
                201 + seq % 12,
                "tips.tip",
                f"6f1c2b8e-9a4d-4c1e-8f3a-{seq:012d}",
                canon,
                prev,
                chain,
            )
            for seq, canon, prev, chain in rows
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)


def bench_database(count: int, appends: int = 2000) -> None:
    from django.db import connection, transaction

    from audit import Action, record
    from audit.chain import verify_log

    with scratch_test_database():
        print(f"database: {connection.vendor} (scratch copy, dropped afterwards)")
        bulk_fill(count)
        gc.collect()
        for state in ("cold, right after loading", "warm"):
            started = time.perf_counter()
            report = verify_log()
            elapsed = time.perf_counter() - started
            assert report.ok and report.checked == count, report.summary()
            print(
                f"verify_log() end to end ({state}): {count:,} entries in {elapsed:.2f} s"
                f" = {count / elapsed:,.0f} entries/s, index check included"
            )
        started = time.perf_counter()
        for index in range(appends):
            record(Action.TIP_VIEWED, actor="system", target=("tips.tip", str(index)), n=index)
        alone = (time.perf_counter() - started) / appends * 1000
        print(f"append, record() on its own (one commit each): {alone:.3f} ms/entry")
        started = time.perf_counter()
        with transaction.atomic():  # what a request pays: its own transaction commits anyway
            for index in range(appends):
                record(Action.TIP_VIEWED, actor="system", target=("tips.tip", "x"), n=index)
        inside = (time.perf_counter() - started) / appends * 1000
        print(f"append, inside the caller's transaction: {inside:.3f} ms/entry")


def main() -> None:
    from django.conf import settings

    settings.DEBUG = False  # as in production: no per-query logging in the cursor
    count = int(os.environ.get("BENCH_AUDIT_ENTRIES", "1000000"))
    db_count = int(os.environ.get("BENCH_AUDIT_DB_ENTRIES", "200000"))
    bench_core(count)
    bench_database(db_count)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process): {peak:.0f} MiB")
