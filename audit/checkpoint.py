"""Signed checkpoints: C2SP tlog-checkpoint notes over the RFC 6962 root of the log.

    <origin>
    <size>
    <base64 Merkle root of the first `size` leaf hashes>
    chain-head <base64 chain hash of entry `size`>
    signed-at <UTC time, seconds>

    — <origin> <base64(key ID || Ed25519 signature)>

The first three lines are the standard checkpoint: any tlog tool holding our verifier key can
check it. The two extension lines bind the hash chain and the time as well (C2SP allows opaque
extension lines; standard tools ignore them).

Each checkpoint is stored in the database and appended to AUDIT_CHECKPOINT_FILE, a plain text
file outside the database; operators ship that file off the host (see docs/audit.md). The writer,
`audit.notary`, never signs a checkpoint that does not extend the previous one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

from audit.checkpoint_note import Anchor, CheckpointBody
from audit.models import Checkpoint
from audit.signing import NoteError, Verifier, open_note, trusted_verifiers

TAIL_BYTES = 16 * 1024  # several notes: the last one is always complete in it


def open_checkpoint(note: str, verifiers: list[Verifier]) -> CheckpointBody:
    body = CheckpointBody.parse(open_note(note, verifiers))
    if body.origin != settings.AUDIT_CHECKPOINT_ORIGIN:
        raise NoteError(f"checkpoint of another log ({body.origin!r})")
    return body


# --- The file outside the database ---------------------------------------------------------


def checkpoint_file() -> Path | None:
    configured = settings.AUDIT_CHECKPOINT_FILE
    return Path(configured) if configured else None


def append_to_file(note: str, path: Path) -> None:
    """One write() with O_APPEND, then fsync: a crash leaves whole notes, never a mixed line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (note + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def iter_notes(lines: Iterable[str]) -> Iterator[str]:
    """Signed notes in a file where notes are separated by blank lines.

    A note is its text block, a blank line and a block of signature lines; a text block without
    signatures (a torn write, or the start of a tail read) is skipped.
    """
    text: str | None = None
    block: list[str] = []
    for line in [*lines, ""]:
        if line:
            block.append(line)
            continue
        if block:
            joined = "\n".join(block) + "\n"
            if block[0].startswith("— ") and text is not None:
                yield f"{text}\n{joined}"
                text = None
            else:
                text = joined
        block = []


def read_file_notes(path: Path, *, latest_only: bool) -> list[str]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        if latest_only:
            handle.seek(max(0, path.stat().st_size - TAIL_BYTES))
        content = handle.read().decode("utf-8", errors="replace")
    notes = list(iter_notes(content.split("\n")))
    return notes[-1:] if latest_only else notes


# --- Reading, for verification -------------------------------------------------------------


def load_anchors(*, all_checkpoints: bool = False) -> tuple[list[Anchor], list[str]]:
    """Verified checkpoints from the database and the file, and the problems met reading them.

    By default only the latest of each source: the latest is the strongest claim about the
    log's size, and checking it is cheap. `all_checkpoints` checks every one.
    """
    verifiers = trusted_verifiers()
    anchors: dict[int, Anchor] = {}
    problems: list[str] = []

    def add(note: str, source: str, expected_size: int | None = None) -> None:
        try:
            body = open_checkpoint(note, verifiers)
        except NoteError as exc:
            problems.append(f"a checkpoint in the {source} is not valid: {exc}")
            return
        if expected_size is not None and body.size != expected_size:
            problems.append(f"the stored checkpoint {expected_size} does not match its note")
            return
        known = anchors.get(body.size)
        if known is not None and known.root != body.root:
            problems.append(f"two signed checkpoints at size {body.size} disagree (forked log)")
            return
        anchors[body.size] = body.anchor(source if known is None else f"{known.source}+{source}")

    rows = Checkpoint.objects.order_by("-size").values_list("size", "note")
    for size, note in rows if all_checkpoints else rows[:1]:
        add(note, "database", size)
    path = checkpoint_file()
    if path is not None:
        for note in read_file_notes(path, latest_only=not all_checkpoints):
            add(note, "file")
    return sorted(anchors.values(), key=lambda anchor: anchor.size), problems
