"""The sequencer: links committed audit entries into the hash chain, in order, after they commit.

`audit.record()` writes an entry unlinked, in the caller's transaction and without any lock. Once
that transaction commits, `after_commit` runs in the same process: in one short transaction of
its own, under the chain lock (PostgreSQL: `pg_try_advisory_xact_lock`; SQLite: the database's
write lock), it reads the head of the chain, takes the committed unlinked entries in `id` order
a batch at a time, gives them the next sequence numbers, encodes each one exactly as before
(`audit.encoding.encode_entry`), chains it and stores `seq`, `canon`, `prev` and `chain` (the one
UPDATE the append-only trigger lets through). Nothing else runs under the lock: no network, no
key derivation, no request's work, and the lock is released at that transaction's COMMIT.

If another process holds the lock, a run does not wait: it returns, and the holder picks its
entries up, because every run probes for unlinked entries again *after* its own commit and goes
on until that probe finds none. An entry that commits while the holder is still linking is
therefore seen by the holder's next probe. The beat task `audit.tasks.sequence_audit`
(AUDIT_SEQUENCE_INTERVAL) is the backstop for a process that died between its commit and its
run; `verify_audit` reports entries left unlinked longer than AUDIT_SEQUENCE_GRACE seconds.

While it holds the lock a session names itself `audit-sequencer` (`application_name`, set with
the lock in the same statement and reverted at its COMMIT; the checkpoint writer names itself
`audit-checkpoint`), so that the bench's lock sampler (bench/harness/locks.py) can say who holds
the lock; the statements also carry an `/* audit-sequencer */` comment for the same reason.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.db import transaction

from audit.encoding import ZERO_HASH, encode_entry, entry_hashes, format_time
from audit.record import lock_appends, try_lock_appends

logger = logging.getLogger(__name__)

BATCH = 500
# A run that keeps finding new entries stops after this many passes (the beat picks up the
# rest): the request that started it must answer at some point.
MAX_PASSES = 50

# Written out, not concatenated: every statement starts with the same marker comment.
MARK = "/* audit-sequencer */ "
_PROBE_SQL = (
    "/* audit-sequencer */ SELECT id FROM audit_event WHERE seq IS NULL ORDER BY id LIMIT 1"
)
# The head of the chain (a row with a NULL id) and the first unlinked entries, in one read.
_HEAD_AND_UNLINKED_SQL = (
    "/* audit-sequencer */ SELECT * FROM (SELECT CAST(NULL AS bigint) AS id,"
    " CAST(NULL AS timestamp with time zone) AS at, CAST(NULL AS text) AS actor,"
    " CAST(NULL AS bigint) AS action, CAST(NULL AS text) AS target_type,"
    " CAST(NULL AS text) AS target_id, CAST(NULL AS bytea) AS details, seq, chain"
    " FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1) head"
    " UNION ALL SELECT * FROM (SELECT id, at, actor, action, target_type, target_id, details,"
    " CAST(NULL AS bigint), CAST(NULL AS bytea) FROM audit_event WHERE seq IS NULL"
    " ORDER BY id LIMIT %s) unlinked"
)
_UNLINKED_SQL = (
    "/* audit-sequencer */ SELECT id, at, actor, action, target_type, target_id, details,"
    " NULL, NULL FROM audit_event WHERE seq IS NULL ORDER BY id LIMIT %s"
)
_LINK_SQL = (
    "/* audit-sequencer */ UPDATE audit_event SET seq = %s, canon = %s, prev = %s, chain = %s"
    " WHERE id = %s AND seq IS NULL"
)
# PostgreSQL: a whole batch in one statement (one round trip under the lock).
_LINK_MANY_SQL = (
    "/* audit-sequencer */ UPDATE audit_event AS e SET seq = v.seq, canon = v.canon,"
    " prev = v.prev, chain = v.chain FROM (VALUES {values}) AS v (id, seq, canon, prev, chain)"
    " WHERE e.id = v.id AND e.seq IS NULL"
)
_LINK_VALUES = "(%s::bigint, %s::bigint, %s::bytea, %s::bytea, %s::bytea)"


class SequencerError(Exception):
    """An unlinked entry could not be linked (its stored columns are not a valid entry)."""


def has_unlinked() -> bool:
    """Whether any committed entry (or one of this transaction's) waits to be linked."""
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_PROBE_SQL)
        return cursor.fetchone() is not None


def _aware(moment: dt.datetime | str) -> dt.datetime:
    if isinstance(moment, str):  # a driver that hands back text
        moment = dt.datetime.fromisoformat(moment)
    # SQLite stores UTC without an offset.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _store(cursor: Any, vendor: str, updates: list[tuple[int, bytes, bytes, bytes, int]]) -> None:
    if vendor == "postgresql":
        values = ", ".join([_LINK_VALUES] * len(updates))
        params = [value for seq, canon, prev, chain, entry_id in updates
                  for value in (entry_id, seq, canon, prev, chain)]  # fmt: skip
        cursor.execute(_LINK_MANY_SQL.format(values=values), params)
        stored = cursor.rowcount
    else:
        cursor.executemany(_LINK_SQL, updates)
        stored = len(updates) if cursor.rowcount in (-1, None) else cursor.rowcount
    if stored != len(updates):
        raise SequencerError(f"linked {stored} of {len(updates)} entries: the batch is undone")


def link_locked(batch_size: int = BATCH, *, limit: int | None = None) -> int:
    """Link every unlinked entry this transaction sees (at most `limit`); the caller holds the
    chain lock.

    Returns how many were linked. The first batch is one read (the head of the chain with the
    first unlinked entries) and one UPDATE; each further batch one read and one UPDATE.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("link entries inside a transaction")
    linked = 0
    seq, prev = 1, ZERO_HASH
    first = True
    while True:
        with connection.cursor() as cursor:
            size = batch_size if limit is None else min(batch_size, limit - linked)
            if size <= 0:
                return linked
            cursor.execute(_HEAD_AND_UNLINKED_SQL if first else _UNLINKED_SQL, [size])
            rows = cursor.fetchall()
            if first and rows and rows[0][0] is None:  # the head row
                seq, prev = int(rows[0][7]) + 1, bytes(rows[0][8])
                rows = rows[1:]
            first = False
            if not rows:
                return linked
            updates = []
            for entry_id, at, actor, action, target_type, target_id, details, _s, _c in rows:
                try:
                    canon = encode_entry(
                        seq=seq,
                        at=format_time(_aware(at)),
                        actor=actor,
                        action=int(action),
                        target=(target_type, target_id) if target_type or target_id else None,
                        details=json.loads(bytes(details)),
                    )
                except (TypeError, ValueError) as exc:
                    raise SequencerError(
                        f"audit entry id {entry_id} cannot be linked: {exc}"
                    ) from exc
                _leaf, chain = entry_hashes(prev, canon)
                updates.append((seq, canon, prev, chain, int(entry_id)))
                seq, prev = seq + 1, chain
            _store(cursor, connection.vendor, updates)
        linked += len(rows)
        if len(rows) < size:
            return linked


def sequence(*, wait: bool = False, batch_size: int = BATCH) -> int:
    """Link the committed unlinked entries; returns how many this call linked.

    `wait=False` (after a request's commit): if another process holds the chain lock, return at
    once, since that holder probes again after its commit. `wait=True` (beat, checkpoints): wait
    for the lock. Either way the run goes on until a probe after its own commit finds nothing.
    Call it outside a transaction, so that each pass commits (and releases the lock) on its own.
    """
    linked = 0
    for _ in range(MAX_PASSES):
        if not has_unlinked():
            return linked
        with transaction.atomic():
            if wait:
                lock_appends()
            elif not try_lock_appends():
                return linked
            linked += link_locked(batch_size)
    logger.warning("audit sequencer: entries still arriving after %s passes", MAX_PASSES)
    return linked


def after_commit() -> None:
    """`transaction.on_commit` hook of `audit.record()`: link what just committed."""
    sequence(wait=False)
