"""Who holds the audit log's append lock while a load runs: sampled from PostgreSQL.

The append lock (`pg_advisory_xact_lock`, held until COMMIT) serializes every audited write in
the portal, so the share of time it is held bounds how far the portal scales (Amdahl's law),
whatever the number of app servers. A sampler thread reads the bench database's connections
every 50 ms: how many wait for the lock, and what the holder is doing — running SQL, flushing
WAL at commit, or "idle in transaction" (the lock held while the application works in Python).
"""

from __future__ import annotations

import threading
from collections import Counter
from types import TracebackType

from bench.harness.database import admin_connection

SAMPLE_SECONDS = 0.05

_ACTIVITY_SQL = """
SELECT a.state, a.wait_event_type, a.wait_event,
       EXISTS (SELECT 1 FROM pg_locks l
               WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)
FROM pg_stat_activity a
WHERE a.datname = %s AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
"""


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
        with admin_connection(self.database) as conn:
            while not self._stop.wait(SAMPLE_SECONDS):
                rows = conn.execute(_ACTIVITY_SQL, [self.database]).fetchall()
                self.counts["samples"] += 1
                self.counts["waiting"] += sum(
                    1
                    for _state, kind, event, _holds in rows
                    if (kind, event) == ("Lock", "advisory")
                )
                holders = [(state, kind, event) for state, kind, event, holds in rows if holds]
                if holders:
                    self.counts["held"] += 1
                for state, kind, event in holders:
                    if state == "idle in transaction":
                        self.counts["holder idle in transaction"] += 1
                    elif kind in {"IO", "LWLock"} and event and "WAL" in event:
                        self.counts["holder flushing WAL"] += 1
                    else:
                        self.counts["holder running SQL"] += 1

    def held_percent(self) -> float:
        """The share of samples in which some connection held the append lock, in percent."""
        return self.counts["held"] / (self.counts["samples"] or 1) * 100

    def summary(self) -> list[tuple[str, str]]:
        """Rows for the report: the share of samples the lock was held, and by whom."""
        samples = self.counts["samples"] or 1
        held = self.counts["held"] or 1
        return [
            ("append lock held", f"{self.counts['held'] / samples * 100:.0f}% of samples"),
            (
                "  holder idle in transaction",
                f"{self.counts['holder idle in transaction'] / held * 100:.0f}%",
            ),
            ("  holder running SQL", f"{self.counts['holder running SQL'] / held * 100:.0f}%"),
            ("  holder flushing WAL", f"{self.counts['holder flushing WAL'] / held * 100:.0f}%"),
            ("  waiting for it", f"{self.counts['waiting'] / samples:.2f} connections on average"),
        ]
