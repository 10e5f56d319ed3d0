"""Who holds the audit chain lock while a load runs: sampled from PostgreSQL.

The chain lock (`pg_advisory_xact_lock` on `audit.record.APPEND_LOCK_KEY`, held until COMMIT)
serializes whatever links entries into the audit chain, so the share of time it is held bounds
how far the portal's audited writes scale (Amdahl's law), whatever the number of app servers.
A sampler thread reads the bench database's connections every 50 ms: whether a session holds
that lock, who it is — the sequencer (`application_name` `audit-sequencer`, which it sets with
the lock), the checkpoint writer (`audit-checkpoint`) or a request's own transaction (anything
else: the design before the sequencer, where `audit.record()` took the lock itself) — and what
it is doing: running SQL, flushing WAL at commit, or "idle in transaction" (the lock held while
the application works in Python). It also counts the sessions waiting for the lock, and those
waiting on a row lock (the next serial point, such as the year's tip number counter).
"""

from __future__ import annotations

import threading
from collections import Counter
from types import TracebackType

from bench.harness.database import admin_connection

SAMPLE_SECONDS = 0.05
HOLDERS = {"audit-sequencer": "sequencer", "audit-checkpoint": "checkpoint writer"}
REQUEST_PATH = "request path"


def _lock_ids() -> tuple[int, int]:
    """(classid, objid) of the chain lock's bigint key as pg_locks shows it."""
    from audit.record import APPEND_LOCK_KEY

    unsigned = APPEND_LOCK_KEY & 0xFFFFFFFFFFFFFFFF
    return unsigned >> 32, unsigned & 0xFFFFFFFF


_ACTIVITY_SQL = """
SELECT a.application_name, a.state, a.wait_event_type, a.wait_event,
       EXISTS (SELECT 1 FROM pg_locks l
               WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
                 AND l.classid = %(classid)s::oid AND l.objid = %(objid)s::oid
                 AND l.objsubid = 1)
FROM pg_stat_activity a
WHERE a.datname = %(database)s AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
"""


def holder_of(application_name: str) -> str:
    return HOLDERS.get(application_name, REQUEST_PATH)


class AppendLockSampler:
    """`with sampler:` around each stretch of load to sample; the counts add up across them."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> AppendLockSampler:
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _sample(self) -> None:
        classid, objid = _lock_ids()
        params = {"classid": classid, "objid": objid, "database": self.database}
        with admin_connection(self.database) as conn:
            while not self._stop.wait(SAMPLE_SECONDS):
                self.add_sample(conn.execute(_ACTIVITY_SQL, params).fetchall())

    def add_sample(self, rows: list[tuple[str, str, str | None, str | None, bool]]) -> None:
        """Count one sample: (application_name, state, wait type, wait event, holds) per session."""
        self.counts["samples"] += 1
        self.counts["waiting"] += sum(
            1
            for _name, _state, kind, event, _holds in rows
            if (kind, event) == ("Lock", "advisory")
        )
        # Not the chain lock, but the next serial point: a row lock held to a commit, such as
        # the year's tip number counter (tips.numbering).
        self.counts["row lock waits"] += sum(
            1
            for _name, _state, kind, event, _holds in rows
            if kind == "Lock" and event in {"transactionid", "tuple"}
        )
        holders = [(name, state, kind, event) for name, state, kind, event, holds in rows if holds]
        if holders:
            self.counts["held"] += 1
        for name, state, kind, event in holders:
            self.counts[f"by {holder_of(name or '')}"] += 1
            if state == "idle in transaction":
                self.counts["holder idle in transaction"] += 1
            elif kind in {"IO", "LWLock"} and event and "WAL" in event:
                self.counts["holder flushing WAL"] += 1
            else:
                self.counts["holder running SQL"] += 1

    def held_percent(self, by: str | None = None) -> float:
        """The share of samples in which the chain lock was held (by `by` only, if given), in %."""
        held = self.counts["held"] if by is None else self.counts[f"by {by}"]
        return held / (self.counts["samples"] or 1) * 100

    def summary(self) -> list[tuple[str, str]]:
        """Rows for the report: the share of samples the lock was held, by whom, doing what."""
        samples = self.counts["samples"] or 1
        held = self.counts["held"] or 1
        rows = [
            ("chain lock held", f"{self.counts['held'] / samples * 100:.1f}% of samples"),
        ]
        rows += [
            (f"  held by the {who}", f"{self.held_percent(who):.1f}% of samples")
            for who in (*HOLDERS.values(), REQUEST_PATH)
        ]
        rows += [
            (
                "  holder idle in transaction",
                f"{self.counts['holder idle in transaction'] / held * 100:.0f}%",
            ),
            ("  holder running SQL", f"{self.counts['holder running SQL'] / held * 100:.0f}%"),
            ("  holder flushing WAL", f"{self.counts['holder flushing WAL'] / held * 100:.0f}%"),
            ("  waiting for it", f"{self.counts['waiting'] / samples:.2f} connections on average"),
            (
                "waiting on a row lock (e.g. the tip number)",
                f"{self.counts['row lock waits'] / samples:.2f} connections on average",
            ),
            ("  samples", f"{self.counts['samples']}"),
        ]
        return rows
