"""Raw SQL on the audit tables, as an attacker with the database owner's rights would run it."""

from __future__ import annotations

from typing import Any

from django.db import connection


def sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def drop_triggers() -> None:
    """What an attacker with the database owner's rights does first (rolled back after the test:
    DDL is transactional on both databases)."""
    if connection.vendor == "postgresql":
        sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
        sql("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
    else:
        for name in ("update", "delete"):
            sql(f"DROP TRIGGER audit_event_no_{name}")
            sql(f"DROP TRIGGER audit_checkpoint_no_{name}")
