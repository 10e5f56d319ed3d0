"""Test support: let the test runner's database flush clear the append-only audit tables, and
link entries explicitly (`link_entries`, `record_linked`) where a test needs `seq` or hashes.

Transactional tests (`django_db(transaction=True)`) end with Django's `flush`, which empties
every table: TRUNCATE on PostgreSQL, DELETE on SQLite. The audit triggers rightly refuse both.
With `AUDIT_TEST_FLUSH = True` (test settings only) the flush statements are wrapped so that,
inside the flush's own transaction, the triggers are switched off, the tables emptied and the
triggers restored. Production code has no such switch: nothing here runs unless the test
settings turn it on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

AUDIT_TABLES = ("audit_event", "audit_checkpoint")

SqlFlush = Callable[..., list[str]]


def _guarded(tables: Sequence[str]) -> list[str]:
    return [table for table in AUDIT_TABLES if table in tables]


def _postgres(original: SqlFlush) -> SqlFlush:
    def sql_flush(self: Any, style: Any, tables: Sequence[str], **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        guarded = _guarded(tables)
        if not statements or not guarded:
            return statements
        disable = [f'ALTER TABLE "{table}" DISABLE TRIGGER USER;' for table in guarded]
        enable = [f'ALTER TABLE "{table}" ENABLE TRIGGER USER;' for table in guarded]
        return [*disable, *statements, *enable]

    return sql_flush


def _sqlite(original: SqlFlush) -> SqlFlush:
    def sql_flush(self: Any, style: Any, tables: Sequence[str], **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        guarded = _guarded(tables)
        if not statements or not guarded:
            return statements
        # SQLite cannot disable a trigger: drop it and create it again from its own text.
        triggers: list[tuple[str, str]] = []
        with self.connection.cursor() as cursor:
            for table in guarded:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                triggers.extend(cursor.fetchall())
        drop = [f'DROP TRIGGER "{name}";' for name, _sql in triggers]
        create = [f"{sql};" for _name, sql in triggers]
        return [*drop, *statements, *create]

    return sql_flush


def allow_test_flush() -> None:
    targets: list[tuple[Any, Callable[[SqlFlush], SqlFlush]]] = []
    for backend, wrap in (("sqlite3", _sqlite), ("postgresql", _postgres)):
        try:
            module = importlib.import_module(f"django.db.backends.{backend}.operations")
        except ImportError:  # e.g. no PostgreSQL driver installed
            continue
        targets.append((module.DatabaseOperations, wrap))
    for ops, wrap_flush in targets:
        if not getattr(ops.sql_flush, "audit_flush_allowed", False):
            wrapped = wrap_flush(ops.sql_flush)
            wrapped.audit_flush_allowed = True  # type: ignore[attr-defined]  # a mark on a function
            ops.sql_flush = wrapped


def link_entries() -> int:
    """Link every unlinked audit entry now, in the current transaction; returns how many.

    `audit.record()` writes entries unlinked and the sequencer links them after the commit, but a
    test's transaction never commits: tests that need `seq`, hashes, checkpoints or a verified
    chain call this (or `record_linked`) to sequence explicitly.
    """
    from django.db import transaction  # noqa: PLC0415 - test support, imported lazily

    from audit.record import lock_appends  # noqa: PLC0415
    from audit.sequencer import link_locked  # noqa: PLC0415

    with transaction.atomic():
        lock_appends()
        return link_locked()


def record_linked(action: Any, **kwargs: Any) -> Any:
    """`audit.record(...)`, then link it: the stored entry, with its `seq` and hashes."""
    from audit.models import AuditEvent  # noqa: PLC0415
    from audit.record import record  # noqa: PLC0415

    event = record(action, **kwargs)
    link_entries()
    return AuditEvent.objects.get(pk=event.pk)
