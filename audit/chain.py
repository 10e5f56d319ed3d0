"""Verification of the audit log: the hash chain, the indexed columns and the signed checkpoints.

Streaming and in bounded memory: entries are read in seq order a chunk at a time (keyset
pagination on the primary key), each chunk's hashes are computed with list comprehensions and a
tight loop over bytes, and the Merkle tree is kept as a `CompactRange` (at most 64 hashes).

What each check catches:
- a **modified** entry: its recomputed chain hash differs from the stored one;
- a **deleted** entry: a gap in `seq` (or, if the rest were renumbered, a broken `prev` link);
- a **reordered** or inserted entry: its `prev` no longer equals the previous entry's hash;
- an edited **index column** (actor, action, target, time): it disagrees with the hashed entry;
- a **truncated tail** or a **rewritten** log: the chain is shorter than a signed checkpoint,
  or its Merkle root (and chain head) at the checkpoint's size differ from the signed ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.checkpoint import load_anchors
from audit.checkpoint_note import Anchor
from audit.encoding import ZERO_HASH, format_time
from audit.merkle import CompactRange
from audit.models import AuditEvent

# seq, canon, prev, chain; some drivers hand back memoryview for bytea
Row = tuple[int, bytes | memoryview, bytes | memoryview, bytes | memoryview]
DEFAULT_CHUNK = 4096


@dataclass
class Report:
    ok: bool
    checked: int
    first_bad: int | None
    problem: str
    head: bytes
    root: bytes
    anchors: list[Anchor] = field(default_factory=list)
    # Entries committed but not linked into the chain yet (they are not verified).
    unlinked: int = 0

    @property
    def latest_checkpoint(self) -> int | None:
        return max((anchor.size for anchor in self.anchors), default=None)

    def summary(self) -> str:
        if not self.ok:
            where = f"first bad entry {self.first_bad}: " if self.first_bad else ""
            return f"audit log NOT intact: {where}{self.problem}"
        if self.anchors:
            latest = max(self.anchors, key=lambda anchor: anchor.size)
            sources = ", ".join(sorted({anchor.source for anchor in self.anchors}))
            checkpoint = f"checkpoint {latest.size} ({sources})"
        else:
            checkpoint = "no checkpoint yet"
        waiting = f", {self.unlinked} newer entries not linked yet" if self.unlinked else ""
        return (
            f"audit log intact: {self.checked} entries, head {self.head.hex()}, "
            f"root {self.root.hex()}, {checkpoint}{waiting}"
        )


class ChainVerifier:
    """Feed chunks of rows in seq order; stops at the first bad entry.

    It can start from a trusted state (size, chain head, compact range) instead of the empty
    log: that is how a new checkpoint hashes only the entries since the previous one.
    """

    def __init__(
        self,
        anchors: Iterable[Anchor] = (),
        *,
        size: int = 0,
        head: bytes = ZERO_HASH,
        tree: CompactRange | None = None,
    ) -> None:
        self.size = size
        self.head = head
        self.tree = tree if tree is not None else CompactRange()
        if self.tree.size != size:
            raise ValueError("the compact range must cover the starting size")
        self.pending = deque(sorted((a for a in anchors if a.size > size), key=lambda a: a.size))
        self.checked_anchors: list[Anchor] = []
        self.last_good_anchor = size
        self.first_bad: int | None = None
        self.problem = ""

    def _fail(self, seq: int, problem: str) -> bool:
        self.first_bad, self.problem = seq, problem
        return False

    def feed(self, rows: Sequence[Row]) -> bool:
        """Verify the next rows; False (and `first_bad` set) at the first problem."""
        if self.first_bad is not None:
            return False
        if not rows:
            return True
        seqs, canons, prevs, chains = zip(*rows, strict=True)
        if type(canons[0]) is not bytes:  # some drivers hand back memoryview for bytea
            canons = tuple(map(bytes, canons))
            prevs = tuple(map(bytes, prevs))
            chains = tuple(map(bytes, chains))
        # The hot loop: local names, C-level comprehensions, no per-row objects beyond bytes.
        sha = hashlib.sha256
        leaf_state = sha(b"\x00")
        copy = leaf_state.copy
        leaves: list[bytes] = []
        add_leaf = leaves.append
        for canon in canons:
            state = copy()
            state.update(canon)
            add_leaf(state.digest())
        computed: list[bytes] = []
        add_chain = computed.append
        value = self.head
        for leaf in leaves:
            value = sha(value + leaf).digest()
            add_chain(value)
        start, count = self.size + 1, len(seqs)
        if (
            seqs[0] == start
            and seqs[-1] == start + count - 1  # ascending primary keys: no gap in between
            and prevs[0] == self.head
            and prevs[1:] == chains[:-1]
            and chains == tuple(computed)
        ):
            return self._advance(leaves, computed)
        good = self._locate(seqs, prevs, chains, computed)
        problem, bad = self.problem, self.first_bad
        self.first_bad = None
        if self._advance(leaves[:good], computed[:good]):
            self.first_bad, self.problem = bad, problem
        return False

    def _locate(
        self,
        seqs: Sequence[int],
        prevs: Sequence[bytes],
        chains: Sequence[bytes],
        computed: list[bytes],
    ) -> int:
        """Name the first bad row of a chunk; returns how many rows before it are good."""
        for index, seq in enumerate(seqs):
            expected = self.size + 1 + index
            previous = computed[index - 1] if index else self.head
            if seq != expected:
                self._fail(expected, f"entry {expected} is missing (deleted)")
            elif prevs[index] != previous:
                self._fail(
                    seq,
                    f"entry {seq} does not link to entry {seq - 1} "
                    "(entries reordered, removed and renumbered, or inserted)",
                )
            elif chains[index] != computed[index]:
                self._fail(seq, f"entry {seq} does not match its hash (modified)")
            else:
                continue
            return index
        raise AssertionError("a chunk failed verification without a bad row")

    def _advance(self, leaves: list[bytes], chains: list[bytes]) -> bool:
        """Add verified leaves to the tree, checking every anchor whose size is reached."""
        offset = 0
        while self.pending and self.pending[0].size - self.size <= len(leaves) - offset:
            anchor = self.pending.popleft()
            step = anchor.size - self.size
            self.tree.extend(leaves[offset : offset + step])
            if step:
                self.head = chains[offset + step - 1]
            self.size += step
            offset += step
            if not self._check_anchor(anchor):
                return False
        if offset < len(leaves):
            self.tree.extend(leaves[offset:])
            self.head = chains[-1]
            self.size += len(leaves) - offset
        return True

    def _check_anchor(self, anchor: Anchor) -> bool:
        head_differs = anchor.chain_head is not None and anchor.chain_head != self.head
        if self.tree.root() != anchor.root or head_differs:
            # The chain is internally consistent, so these entries were rewritten wholesale:
            # the divergence lies after the last checkpoint that still matched.
            return self._fail(
                self.last_good_anchor + 1,
                f"entries up to {anchor.size} differ from the checkpoint signed at that size "
                f"({anchor.source}): the log was rewritten after entry {self.last_good_anchor}",
            )
        self.checked_anchors.append(anchor)
        self.last_good_anchor = anchor.size
        return True

    def finish(self) -> Report:
        if self.first_bad is None and self.pending:
            anchor = self.pending[-1]
            self._fail(
                self.size + 1,
                f"the log ends at entry {self.size} but a checkpoint was signed at {anchor.size} "
                f"entries ({anchor.source}): entries {self.size + 1}-{anchor.size} were removed",
            )
        return Report(
            ok=self.first_bad is None,
            checked=self.size if self.first_bad is None else self.first_bad - 1,
            first_bad=self.first_bad,
            problem=self.problem,
            head=self.head,
            root=self.tree.root(),
            anchors=list(self.checked_anchors),
        )


def linked_head() -> int:
    """The seq of the last linked entry (0 for an empty chain); unlinked entries have none."""
    return (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )


def stale_unlinked(grace: float | None = None) -> tuple[int, dt.datetime | None]:
    """How many entries wait to be linked for longer than AUDIT_SEQUENCE_GRACE, the oldest's time.

    Such an entry is committed but outside the chain: until it is linked it has no tamper
    evidence, so a stalled sequencer is a problem verification reports.
    """
    seconds = settings.AUDIT_SEQUENCE_GRACE if grace is None else grace
    cutoff = timezone.now() - dt.timedelta(seconds=seconds)
    waiting = AuditEvent.objects.filter(seq__isnull=True, at__lt=cutoff)
    count = waiting.count()
    oldest = waiting.order_by("at").values_list("at", flat=True).first() if count else None
    return count, oldest


def iter_chunks(
    after: int = 0, upto: int | None = None, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[list[Row]]:
    """Rows with after < seq <= upto (default: the current head), ascending, in chunks.

    Each query asks for a range of at most `chunk_size` sequence numbers, so it reads at most
    that many rows whatever plan the database picks (a LIMIT query can sort the whole rest of
    the table when statistics are missing), and no cursor or transaction stays open between
    chunks. An empty range (entries deleted) jumps to the next entry that exists.
    """
    entries = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    if upto is None:
        upto = linked_head()
    rows = entries.values_list("seq", "canon", "prev", "chain")
    while after < upto:
        end = min(after + chunk_size, upto)
        # Linked entries only (a seq range): none of their columns is NULL.
        chunk = cast(list[Row], list(rows.filter(seq__gt=after, seq__lte=end)))
        if chunk:
            yield chunk
            after = end
            continue
        following = entries.filter(seq__gt=end, seq__lte=upto).values_list("seq", flat=True)
        next_seq = following.first()
        if next_seq is None:
            return
        after = next_seq - 1


_INDEX_CHECK_SQLITE = """
SELECT e.seq FROM audit_event e
WHERE e.seq <= %s AND (
    json_extract(CAST(e.canon AS TEXT), '$.seq') IS NOT e.seq
    OR json_extract(CAST(e.canon AS TEXT), '$.action') IS NOT e.action
    OR json_extract(CAST(e.canon AS TEXT), '$.actor') IS NOT e.actor
    OR coalesce(json_extract(CAST(e.canon AS TEXT), '$.target[0]'), '') IS NOT e.target_type
    OR coalesce(json_extract(CAST(e.canon AS TEXT), '$.target[1]'), '') IS NOT e.target_id
    -- Django stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no fraction when it is zero).
    OR replace(replace(json_extract(CAST(e.canon AS TEXT), '$.at'), 'T', ' '), 'Z', '')
       IS NOT (CASE WHEN length(e.at) = 19 THEN e.at || '.000000' ELSE e.at END)
)
ORDER BY e.seq LIMIT 1
"""

# OFFSET 0 keeps the subquery from being flattened, so each entry is parsed once, not per use.
_INDEX_CHECK_POSTGRES = """
SELECT e.seq FROM (
    SELECT seq, action, actor, target_type, target_id, at,
           convert_from(canon, 'UTF8')::jsonb AS j
    FROM audit_event WHERE seq <= %s OFFSET 0
) e
WHERE (e.j->>'seq')::bigint IS DISTINCT FROM e.seq
    OR (e.j->>'action')::bigint IS DISTINCT FROM e.action
    OR e.j->>'actor' IS DISTINCT FROM e.actor
    OR coalesce(e.j->'target'->>0, '') IS DISTINCT FROM e.target_type
    OR coalesce(e.j->'target'->>1, '') IS DISTINCT FROM e.target_id
    OR (e.j->>'at')::timestamptz IS DISTINCT FROM e.at
ORDER BY e.seq LIMIT 1
"""


class IndexCheckError(Exception):
    pass


def first_index_mismatch(upto: int) -> int | None:
    """The first entry (seq <= upto) whose indexed columns disagree with its hashed contents.

    Run in the database (its JSON functions are C code), and only over entries whose hashes
    verified: their contents are then known to be JSON this project wrote.
    """
    sql = _INDEX_CHECK_POSTGRES if connection.vendor == "postgresql" else _INDEX_CHECK_SQLITE
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [upto])
            row = cursor.fetchone()
    except DatabaseError as exc:
        raise IndexCheckError(f"the database could not read the hashed entries: {exc}") from None
    return int(row[0]) if row else None


def verify_log(
    *,
    anchors: Iterable[Anchor] | None = None,
    all_checkpoints: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
) -> Report:
    """Verify the whole log against the latest checkpoints (database and file)."""
    problems: list[str] = []
    if anchors is None:
        anchors, problems = load_anchors(all_checkpoints=all_checkpoints)
    upto = linked_head()
    verifier = ChainVerifier(anchors)
    for chunk in iter_chunks(upto=upto, chunk_size=chunk_size):
        if not verifier.feed(chunk):
            break
    report = verifier.finish()
    limit = report.first_bad - 1 if report.first_bad else report.checked
    try:
        mismatch = first_index_mismatch(limit) if limit else None
    except IndexCheckError as exc:
        mismatch, problems = None, [*problems, str(exc)]
    if mismatch is not None:
        report.ok, report.first_bad, report.checked = False, mismatch, mismatch - 1
        report.problem = (
            f"entry {mismatch}: its indexed columns (actor, action, target or time) disagree "
            "with its hashed contents (modified)"
        )
    report.unlinked = AuditEvent.objects.filter(seq__isnull=True).count()
    stale, oldest = stale_unlinked() if report.unlinked else (0, None)
    if stale and oldest is not None:
        problems.append(
            f"{stale} entries recorded since {format_time(oldest)} are not linked into the "
            f"chain after {settings.AUDIT_SEQUENCE_GRACE:g} seconds (the sequencer is stalled): "
            "they have no tamper evidence until they are"
        )
    if problems and report.ok:
        report.ok, report.problem = False, "; ".join(problems)
    return report
