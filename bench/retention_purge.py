"""Retention purge throughput: tips purged per second and peak memory, against plain deletion.

`make bench`, or on its own: `.venv/bin/python -m bench purge`.

On a scratch database (SQLite file, or PostgreSQL when DATABASE_URL names one), BENCH_PURGE_TIPS
expired tips (default 100,000) are loaded a chunk at a time, each shaped like a real closed tip
at rest: its sealed content, two wraps of its data key (the triage desk and the tipster), two
blind indexes and one message in the thread with its own two wraps. Then:
1. `do_purge_expired()` (what `manage.py purge_expired` and the nightly task run): per tip a
   row lock, the shredding of every wrap, the cascade, a tombstone and a TIP_PURGED audit entry,
   one transaction each, in batches of RETENTION_PURGE_BATCH ids (never the whole table).
2. The baseline, in the same run on the same number of freshly loaded rows: plain deletion of
   the tips and their wraps, batch by batch, without locks, tombstones or audit.
Reported: tips/s for both, their ratio, and the peak memory of the whole process before and
after the purge (a purge that loaded the table would raise it with the tip count).
"""

from __future__ import annotations

import os
import resource
import secrets
import time
from datetime import UTC, datetime, timedelta

from bench.harness.database import scratch_test_database

CHUNK = 2000
CLOSED = datetime(2025, 1, 1, tzinfo=UTC)


def load(count: int) -> None:
    """`count` closed spam tips past their purge date, `CHUNK` at a time."""
    from django.db import transaction

    from portal import vault
    from portal.vault.models import WrappedKey
    from tips.models import Identifier, Message, Tip

    desk = vault.triage_desk()
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        with transaction.atomic():
            tips = Tip.objects.bulk_create(
                Tip(
                    what="labor_trafficking", category="labor_trafficking", status="closed",
                    close_reason="spam", immediate_danger="no", minor_involved="no",
                    area="olathe", priority_score=20, computed_level="low", priority_level="low",
                    content=secrets.token_bytes(600), receipt_lookup=secrets.token_bytes(32),
                    tipster_public_key=secrets.token_bytes(32), sla_due_at=CLOSED,
                    created_at=CLOSED - timedelta(days=40), closed_at=CLOSED,
                    purge_after=CLOSED + timedelta(days=30),
                )
                for _ in range(size)
            )  # fmt: skip
            messages = Message.objects.bulk_create(
                Message(tip=tip, sender="tipster", body=secrets.token_bytes(200)) for tip in tips
            )
            wraps = []
            for record_type, code in [("tips.tip", t.code) for t in tips] + [
                ("tips.message", m.code) for m in messages
            ]:
                wraps.append(
                    WrappedKey(record_type=record_type, record_id=str(code), desk=desk,
                               key_version=1, wrapped_key=secrets.token_bytes(120))
                )  # fmt: skip
                wraps.append(
                    WrappedKey(record_type=record_type, record_id=str(code), desk=None,
                               key_version=0, wrapped_key=secrets.token_bytes(120))
                )  # fmt: skip
            WrappedKey.objects.bulk_create(wraps)
            Identifier.objects.bulk_create(
                Identifier(tip=tip, kind=kind, digest=secrets.randbelow(65536))
                for tip in tips
                for kind in ("phone", "plate")
            )


def plain_delete(batch: int) -> int:
    """The baseline: the same rows deleted batch by batch, nothing else."""
    from django.db import transaction

    from portal.vault.models import WrappedKey
    from tips.models import Message, Tip

    deleted = 0
    while ids := list(Tip.objects.order_by("pk").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            codes = [str(c) for c in Tip.objects.filter(pk__in=ids).values_list("code", flat=True)]
            codes += [
                str(c)
                for c in Message.objects.filter(tip_id__in=ids).values_list("code", flat=True)
            ]
            WrappedKey.objects.filter(record_id__in=codes).delete()
            Tip.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def main() -> None:
    from django.conf import settings

    settings.DEBUG = False
    count = int(os.environ.get("BENCH_PURGE_TIPS", "100000"))
    batch = settings.RETENTION_PURGE_BATCH
    with scratch_test_database() as connection:
        from portal import vault
        from retention.actions import do_purge_expired
        from retention.models import TipTombstone

        vault.initialize()
        print(f"database: {connection.vendor} (scratch copy, dropped afterwards)")
        started = time.perf_counter()
        load(count)
        print(f"loaded {count:,} expired tips in {time.perf_counter() - started:.1f} s")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        summary = do_purge_expired(batch=batch)
        purge_seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert summary.purged == count, summary.line()
        assert TipTombstone.objects.count() == count
        print(summary.line())

        load(count)
        started = time.perf_counter()
        assert plain_delete(batch) == count
        delete_seconds = time.perf_counter() - started

    purge_rate, delete_rate = count / purge_seconds, count / delete_seconds
    print(f"purge_expired: {purge_rate:,.0f} tips/s ({purge_seconds:.1f} s, batches of {batch})")
    print(f"plain deletion of the same rows: {delete_rate:,.0f} tips/s ({delete_seconds:.1f} s)")
    print(f"ratio purge / plain deletion: {purge_rate / delete_rate:.2f}")
    print(
        f"peak memory (whole process): {rss_after:.0f} MiB ({rss_before:.0f} MiB before the purge)"
    )
