"""Check an `export_audit` file away from the portal: no settings, no database, no network.

    python -m audit.offline_verify audit-export.jsonl --public-key "$(cat audit.vkey)"

`--public-key` is the verifier key that `manage.py audit_checkpoint --show-key` prints (kept by
the county apart from the portal; repeat the option for keys of earlier signing keys). It needs
only the portal's package installed: the hashing, Merkle and signed-note code is the very code
the portal uses (`audit.encoding`, `audit.merkle`, `audit.signing`, `audit.checkpoint_note`),
none of which touches Django settings.

What it checks, stopping at the first problem and naming its seq:
- every entry, re-encoded from its fields exactly as `audit.record` encoded it, hashes to its
  `hash`, and its `prev` is the previous entry's hash (the zero hash before entry 1), with no
  seq missing;
- every checkpoint is signed by a given key, names the key's log, and its signed chain head is
  the hash of the entry at its size; for an export from entry 1, its Merkle root is too;
- at least one checkpoint was checked (`--allow-unsigned` accepts a range without one: a chain
  that is only consistent with itself proves little, a rewritten log is consistent too).

Exit 0 with a summary, 1 naming the first bad entry or checkpoint, 2 for an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from audit.checkpoint_note import CheckpointBody
from audit.encoding import FORMAT_VERSION, ZERO_HASH, DetailsError, encode_entry, entry_hashes
from audit.merkle import CompactRange
from audit.signing import NoteError, Verifier, open_note, parse_verifier_key


class ExportError(Exception):
    """The file is not an export (exit 2)."""


@dataclass
class Outcome:
    ok: bool = True
    first_bad: int | None = None
    problem: str = ""
    first: int | None = None
    last: int | None = None
    head: bytes = ZERO_HASH
    checkpoints: list[int] = field(default_factory=list)

    def fail(self, seq: int | None, problem: str) -> Outcome:
        self.ok, self.first_bad, self.problem = False, seq, problem
        return self

    def summary(self) -> str:
        if not self.ok:
            where = f"entry {self.first_bad}: " if self.first_bad is not None else ""
            return f"export NOT intact: {where}{self.problem}"
        if self.last is None:
            return "export intact: no entries"
        signed = (
            f"{len(self.checkpoints)} checkpoints verified, latest at {max(self.checkpoints)}"
            if self.checkpoints
            else "no checkpoint in the range"
        )
        tail = ""
        if self.checkpoints and max(self.checkpoints) < self.last:
            after = max(self.checkpoints) + 1
            tail = f"; entries {after}-{self.last} are linked but not yet signed"
        return (
            f"export intact: entries {self.first}-{self.last}, head {self.head.hex()}, "
            f"{signed}{tail}"
        )


def _records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise ExportError(f"line {number} is not JSON") from None
        if not isinstance(value, dict) or "type" not in value:
            raise ExportError(f"line {number} is not an export record")
        yield number, value


def _canon(line: dict[str, Any]) -> bytes:
    """The bytes `audit.record` hashed for this entry, from the exported fields."""
    if line.get("v") != FORMAT_VERSION:
        raise ValueError(f"entry format {line.get('v')!r} is not {FORMAT_VERSION}")
    target_type, target_id = line["target_type"], line["target_id"]
    target = (target_type, target_id) if target_type or target_id else None
    return encode_entry(
        seq=line["seq"],
        at=line["at"],
        actor=line["actor"],
        action=line["action"],
        target=target,
        details=line["details"],
    )


def _open_checkpoint(note: str, verifiers: list[Verifier], origin: str) -> CheckpointBody:
    body = CheckpointBody.parse(open_note(note, verifiers))
    if body.origin != origin:
        raise NoteError(f"it is a checkpoint of another log ({body.origin!r})")
    return body


class _Pass:
    """One pass over the entries, holding the state between them."""

    def __init__(self, outcome: Outcome, pending: dict[int, CheckpointBody]) -> None:
        self.outcome = outcome
        self.pending = pending
        self.tree: CompactRange | None = None
        self.expected: int | None = None
        self.prev = ZERO_HASH

    def entry(self, record: dict[str, Any]) -> bool:  # noqa: PLR0911 - a check per return
        """Check the next entry; False (the outcome failed) at the first problem."""
        fail = self.outcome.fail
        try:
            seq = int(record["seq"])
            stored_prev = bytes.fromhex(record["prev"])
            stored_hash = bytes.fromhex(record["hash"])
            canon = _canon(record)
        except (KeyError, TypeError, ValueError, DetailsError) as exc:
            return not fail(record.get("seq"), f"the entry cannot be read ({exc})")
        if self.expected is None:
            self.outcome.first = self.expected = seq
            self.tree = CompactRange() if seq == 1 else None
            self.prev = ZERO_HASH if seq == 1 else stored_prev
        if seq != self.expected:
            return not fail(self.expected, f"entry {self.expected} is missing (deleted)")
        if stored_prev != self.prev:
            return not fail(seq, f"entry {seq} does not link to entry {seq - 1}")
        leaf, chain = entry_hashes(self.prev, canon)
        if chain != stored_hash:
            return not fail(seq, f"entry {seq} does not match its hash (modified)")
        if self.tree is not None:
            self.tree.extend([leaf])
        checkpoint = self.pending.pop(seq, None)
        if checkpoint is not None:
            if checkpoint.chain_head is not None and checkpoint.chain_head != chain:
                return not fail(seq, f"entries up to {seq} differ from the checkpoint signed there")
            if self.tree is not None and self.tree.root() != checkpoint.root:
                return not fail(seq, f"the Merkle root at {seq} differs from the signed one")
            self.outcome.checkpoints.append(seq)
        self.outcome.last, self.outcome.head, self.prev = seq, chain, chain
        self.expected = seq + 1
        return True


def verify_export(  # noqa: PLR0911 - a check per return
    lines: Iterable[str], verifiers: list[Verifier], *, allow_unsigned: bool = False
) -> Outcome:
    outcome = Outcome()
    records = _records(lines)
    number, header = next(records, (0, {}))
    if header.get("type") != "export" or header.get("format") != 1:
        raise ExportError("the first line is not an export header of format 1")
    origin = str(header.get("origin") or verifiers[0].name)
    pending: dict[int, CheckpointBody] = {}
    entries = _Pass(outcome, pending)
    for number, record in records:
        kind = record["type"]
        if kind == "entry":
            if not entries.entry(record):
                return outcome
            continue
        if kind != "checkpoint" or entries.expected is not None:
            raise ExportError(f"line {number}: unknown type {kind!r} or a checkpoint out of place")
        size = record.get("size")
        try:
            body = _open_checkpoint(str(record.get("note", "")), verifiers, origin)
        except NoteError as exc:
            return outcome.fail(None, f"the checkpoint at size {size} is not valid: {exc}")
        if body.size != size:
            return outcome.fail(None, f"the checkpoint on line {number} does not match its note")
        pending[body.size] = body
    last = outcome.last
    if pending:
        return outcome.fail(
            (last or 0) + 1,
            f"a checkpoint was signed at {min(pending)} entries but the export ends at {last}: "
            "entries were removed",
        )
    if last is not None and header.get("to") is not None and last != header["to"]:
        return outcome.fail(last + 1, f"the export ends at {last}, not at {header['to']}")
    if not outcome.checkpoints and last is not None and not allow_unsigned:
        return outcome.fail(None, "no signed checkpoint covers this range (see --allow-unsigned)")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m audit.offline_verify", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("file", help="an export_audit file ('-' for stdin)")
    parser.add_argument(
        "--public-key",
        action="append",
        required=True,
        help="verifier key (audit_checkpoint --show-key); repeat for earlier keys",
    )
    parser.add_argument("--allow-unsigned", action="store_true")
    options = parser.parse_args(argv)
    try:
        verifiers = [parse_verifier_key(key) for key in options.public_key]
    except NoteError as exc:
        parser.error(str(exc))
    try:
        if options.file == "-":
            outcome = verify_export(sys.stdin, verifiers, allow_unsigned=options.allow_unsigned)
        else:
            with open(options.file, encoding="utf-8") as handle:
                outcome = verify_export(handle, verifiers, allow_unsigned=options.allow_unsigned)
    except (OSError, ExportError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    print(outcome.summary(), file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
