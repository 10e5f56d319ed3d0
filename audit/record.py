"""The one writer of the audit log.

    from audit import Action, record
    record(Action.TIP_CLAIMED, actor=request.user, target=tip, reason="duplicate")

Call it inside the transaction of the change it describes: the change and its entry then commit
or roll back together. It opens its own `atomic()` block as well, so it also works on its own.

`record()` takes no lock: it checks and encodes the entry and INSERTs it *unlinked* (time,
actor, action, target, details; no `seq` and no hashes), so concurrent requests never wait on
each other for the audit log. After the caller's transaction commits, the sequencer
(audit/sequencer.py) links the committed entries into the chain in one short transaction of its
own, under the chain lock; the returned entry therefore has `seq` None. Keep slow work (network,
key derivation) out of transactions that record all the same.

This module must stay importable while Django loads its apps (`audit/__init__.py` re-exports
`record`), so it reaches the models only inside functions.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.encoding import ZERO_HASH, canonical, clean_details
from audit.events import Action

if TYPE_CHECKING:
    from audit.models import AuditEvent

ANONYMOUS = "anonymous"
SYSTEM = "system"
MAX_REF_LENGTH = 100

# One fixed 64-bit key for pg_advisory_xact_lock, derived from a name so that it cannot clash by
# accident with another advisory lock user of the same database.
APPEND_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"tip-portal/audit/append").digest()[:8], "big", signed=True
)

Actor = Any  # a User, None / "anonymous", or "system"
Target = models.Model | tuple[str, object] | None


def actor_label(actor: Actor) -> str:
    """The actor as stored: a user's id as text, `anonymous` or `system`."""
    if actor is None or actor == ANONYMOUS:
        return ANONYMOUS
    if actor == SYSTEM:
        return SYSTEM
    if isinstance(actor, str):
        raise ValueError(f"actor must be a user, None, 'anonymous' or 'system', not {actor!r}")
    if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None:
        return str(actor.pk)
    if getattr(actor, "is_anonymous", False):  # django.contrib.auth's AnonymousUser
        return ANONYMOUS
    raise TypeError(f"actor must be a saved user, not {type(actor).__name__}")


def _checked_ref(value: object, what: str) -> str:
    text = str(value)
    if not text or len(text) > MAX_REF_LENGTH or "\x00" in text:
        raise ValueError(f"target {what} must be 1-{MAX_REF_LENGTH} characters, got {text!r}")
    return text


def target_ref(target: Target) -> tuple[str, str] | None:
    """(type, id): a model's `app_label.model` and its public `code` if it has one, else pk."""
    if target is None:
        return None
    if isinstance(target, tuple):
        if len(target) != 2:
            raise ValueError("a target tuple is (type, id)")
        return _checked_ref(target[0], "type"), _checked_ref(target[1], "id")
    if isinstance(target, models.Model):
        if target.pk is None:
            raise ValueError("save the target before recording an action on it")
        code = getattr(target, "code", None)
        ident = code if code is not None and not callable(code) else target.pk
        return _checked_ref(target._meta.label_lower, "type"), _checked_ref(ident, "id")
    raise TypeError(f"target must be a model instance or a (type, id) tuple, not {target!r}")


# While it holds the lock, a session names itself (pg_stat_activity.application_name, reverted
# at the end of its transaction) so that the bench's sampler can tell who holds the lock.
SEQUENCER = "audit-sequencer"
CHECKPOINTER = "audit-checkpoint"
_NAME = "set_config('application_name', %s, true)"
# The sequencer's linking transactions commit asynchronously (no wait for the WAL flush while
# the lock is held): a crash can only undo the latest linkings, never an entry, and what is
# signed or shipped is flushed first. docs/audit.md, "Linking: the sequencer".
_ASYNC = "set_config('synchronous_commit', 'off', true)"


def _lock_sql(holder: str, function: str) -> str:
    settings_sql = f"{_NAME}, {_ASYNC}" if holder == SEQUENCER else _NAME
    return f"/* audit-sequencer */ SELECT {settings_sql}, {function}(%s)"


def lock_appends(holder: str = SEQUENCER) -> None:
    """Take the chain lock until the current transaction ends, waiting for it (in `atomic()`).

    The sequencer and the checkpoint writer hold it; `record()` never does.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_lock_sql(holder, "pg_advisory_xact_lock"), [holder, APPEND_LOCK_KEY])
    # SQLite: a write transaction began with BEGIN IMMEDIATE and holds the one write lock.


def try_lock_appends(holder: str = SEQUENCER) -> bool:
    """Take the chain lock if no one holds it; False at once otherwise (in `atomic()`)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _lock_sql(holder, "pg_try_advisory_xact_lock"), [holder, APPEND_LOCK_KEY]
            )
            return bool(cursor.fetchone()[-1])
    # SQLite: BEGIN IMMEDIATE already took (or waited for) the database's one write lock.
    return True


_HEAD_SQL = (
    "/* audit-sequencer */ SELECT seq, chain FROM audit_event"
    " WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
)
_INSERT_SQL = (
    "INSERT INTO audit_event (at, actor, action, target_type, target_id, details)"
    " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id"
)


def _head_of(row: tuple[Any, ...] | None) -> tuple[int, bytes]:
    return (int(row[0]) + 1, bytes(row[1])) if row else (1, ZERO_HASH)


def read_head() -> tuple[int, bytes]:
    """(next seq, chain hash of the last linked entry): one index lookup, however long the log.

    Plain SQL rather than the ORM: the sequencer runs it under the chain lock.
    """
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_HEAD_SQL)
        return _head_of(cursor.fetchone())


def _once_after_commit(connection: Any, callback: Any) -> None:
    """Ask for `callback` (a sequencer run, a stream kick) once after this transaction commits,
    not once per entry.

    A call already asked for at this savepoint level or an outer one covers this entry too: if
    that request is rolled back with its savepoint, so is this entry.
    """
    active = set(connection.savepoint_ids)
    for savepoints, function, _robust in connection.run_on_commit:
        if function is callback and set(savepoints) <= active:
            return
    transaction.on_commit(callback, robust=True)


def record(
    action: Action | int, *, actor: Actor, target: Target = None, **details: object
) -> AuditEvent:
    """Write one entry, unlinked, and return it (`seq` None until the sequencer links it).

    Details: small, JSON, ids and codes only. Keys named like password/secret/token/key/
    receipt/otp are redacted; anything that is not JSON, or over 2 KB once encoded, raises
    ValueError before anything is written.
    """
    from audit import sequencer  # noqa: PLC0415 - keeps `import audit` model-free
    from audit.models import AuditEvent  # noqa: PLC0415 - keeps `import audit` model-free

    action_value = int(Action(action))
    actor_text = actor_label(actor)
    target_pair = target_ref(target)
    target_type, target_id = target_pair or ("", "")
    encoded_details = canonical(clean_details(details))
    connection = transaction.get_connection()
    now = timezone.now()
    # No savepoint: if the entry cannot be written, the caller's transaction must not commit
    # without it (a savepoint would let a caught error commit the action unaudited).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # A parameterised INSERT rather than Model.save(): the model's signals and SQL compiler
        # cost more than the rest of the append, on every audited request.
        cursor.execute(
            _INSERT_SQL,
            [
                connection.ops.adapt_datetimefield_value(now),
                actor_text,
                action_value,
                target_type,
                target_id,
                encoded_details,
            ],
        )
        entry_id = int(cursor.fetchone()[0])
        # Linked after the commit, in its own short transaction: never under the caller's.
        _once_after_commit(connection, sequencer.after_commit)
    event = AuditEvent(
        id=entry_id,
        seq=None,
        at=now,
        actor=actor_text,
        action=action_value,
        target_type=target_type,
        target_id=target_id,
        details_json=encoded_details,
    )
    # The instance describes a stored row: saving it again would be an update, which is refused.
    event._state.adding = False
    event._state.db = connection.alias
    if settings.AUDIT_STREAM:
        from audit import stream  # noqa: PLC0415 - only a configured stream needs it

        # After the commit (and after the sequencer), never inside it: the stream does network
        # I/O, and only linked entries are shipped.
        _once_after_commit(connection, stream.kick)
    return event
