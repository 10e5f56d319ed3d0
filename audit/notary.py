"""The checkpoint writer: signs the log's current state, stores it and files it.

It never signs a checkpoint that does not extend the previous one (C2SP: a log must not sign two
inconsistent checkpoints). It trusts the previous checkpoint only after checking its signature
and that its stored compact range folds to the signed root, and then hashes only the entries
added since, chained onto the previous signed chain head. If the database lost checkpoints that
the file still holds, or the log shrank, it refuses and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import sequencer
from audit.chain import ChainVerifier, iter_chunks, linked_head
from audit.checkpoint import (
    append_to_file,
    checkpoint_file,
    open_checkpoint,
    read_file_notes,
)
from audit.checkpoint_note import CheckpointBody
from audit.events import Action
from audit.merkle import HASH_SIZE, CompactRange
from audit.models import Checkpoint
from audit.record import CHECKPOINTER, SYSTEM, lock_appends, record
from audit.signing import NoteError, Verifier, audit_signer, sign_note, trusted_verifiers


class CheckpointRefusedError(Exception):
    """The log no longer extends the last signed checkpoint: signing now would fork it."""


def sync_file() -> bool:
    """Append the latest stored checkpoint to the file if the file lacks it. Idempotent."""
    path = checkpoint_file()
    latest = Checkpoint.objects.order_by("-size").first()
    if path is None or latest is None:
        return False
    last_in_file = read_file_notes(path, latest_only=True)
    if last_in_file:
        try:
            size = CheckpointBody.parse(last_in_file[0].split("\n\n")[0]).size
        except NoteError:
            size = -1
        if size >= latest.size:
            return False
    append_to_file(latest.note, path)
    return True


@dataclass(frozen=True)
class _State:
    size: int
    chain_head: bytes
    tree: CompactRange


def _previous_state(verifiers: list[Verifier]) -> _State:
    previous = Checkpoint.objects.order_by("-size").first()
    state = _State(0, bytes(HASH_SIZE), CompactRange())
    if previous is not None:
        try:
            body = open_checkpoint(previous.note, verifiers)
        except NoteError as exc:
            raise CheckpointRefusedError(
                f"the latest stored checkpoint is not valid: {exc}"
            ) from None
        try:
            tree = CompactRange.from_bytes(body.size, bytes(previous.compact_range))
        except ValueError:
            tree = None
        if (
            tree is None
            or body.size != previous.size
            or tree.root() != body.root
            or body.chain_head is None
        ):
            raise CheckpointRefusedError(f"the stored checkpoint {previous.size} was altered")
        state = _State(body.size, body.chain_head, tree)
    path = checkpoint_file()
    for note in read_file_notes(path, latest_only=True) if path else []:
        try:
            in_file = open_checkpoint(note, verifiers)
        except NoteError as exc:
            raise CheckpointRefusedError(
                f"the checkpoint file's latest note is not valid: {exc}"
            ) from None
        if in_file.size > state.size or (
            in_file.size == state.size and in_file.root != state.tree.root()
        ):
            raise CheckpointRefusedError(
                f"the checkpoint file holds a checkpoint at {in_file.size} that the database "
                f"does not (its latest is {state.size}): checkpoints were removed or the "
                "database was restored from an older backup"
            )
    return state


def write_checkpoint(*, now: dt.datetime | None = None) -> bool:
    """Sign the log's current size if it grew since the last checkpoint; True when it did.

    A checkpoint covers linked entries only, so the committed entries are linked first (in the
    sequencer's own short transactions), then again under the chain lock for the stragglers.
    """
    signer = audit_signer()
    verifiers = trusted_verifiers()
    if not transaction.get_connection().in_atomic_block:
        sequencer.sequence(wait=True)
    with transaction.atomic():
        lock_appends(CHECKPOINTER)  # nothing can be linked while the new head is read and signed
        state = _previous_state(verifiers)
        sequencer.link_locked()
        size = linked_head()
        if size < state.size:
            raise CheckpointRefusedError(
                f"the log has {size} entries, fewer than the {state.size} already signed"
            )
        written = size > state.size
        if written:
            # Part of the checkpoint it announces, so it adds no further work next time.
            record(Action.AUDIT_CHECKPOINT, actor=SYSTEM, previous_size=state.size)
            sequencer.link_locked()
            verifier = ChainVerifier(size=state.size, head=state.chain_head, tree=state.tree)
            for chunk in iter_chunks(after=state.size):
                if not verifier.feed(chunk):
                    raise CheckpointRefusedError(f"entry {verifier.first_bad}: {verifier.problem}")
            moment = (now or timezone.now()).astimezone(dt.UTC)
            body = CheckpointBody(
                origin=signer.name,
                size=verifier.size,
                root=verifier.tree.root(),
                chain_head=verifier.head,
                signed_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            checkpoint = Checkpoint(
                size=body.size,
                root=body.root,
                chain_head=body.chain_head,
                compact_range=verifier.tree.to_bytes(),
                note=sign_note(body.text(), signer),
                created_at=moment,
            )
            checkpoint._written_by = Checkpoint._writer_token  # type: ignore[attr-defined]  # the writer's mark, read by save()
            checkpoint.save()
    # The file only ever receives committed checkpoints (at once when no transaction is open).
    transaction.on_commit(sync_file)
    # Entries that committed while this held the chain lock found it taken and left their linking
    # to the holder: link them now, rather than leave them to the beat's next round.
    transaction.on_commit(sequencer.after_commit, robust=True)
    return written
