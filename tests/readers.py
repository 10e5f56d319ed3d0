"""Small readers for assertions: audit rows about an object, an object as the database has it
now, and a tip's sealed content opened the way the triage desk opens it."""

from __future__ import annotations

import json
from typing import Any


def events(action, about=None) -> list:
    """The audit events of `action`, oldest first; only those naming `about` (a tip or a
    handoff, by its code) when given."""
    from audit.models import AuditEvent
    from audit.testing import link_entries

    # A test's transaction never commits, so the sequencer never ran: link them explicitly, so
    # that each event has its seq and hashed entry (`canon`) as the log will hold it.
    link_entries()
    rows = AuditEvent.objects.filter(action=action).order_by("seq")
    if about is not None:
        rows = rows.filter(target_type=about._meta.label_lower, target_id=str(about.code))
    return list(rows)


def fresh(obj):
    """`obj` read again from the database."""
    return type(obj)._default_manager.get(pk=obj.pk)


def read_tip(tip, reader: Any) -> dict[str, Any]:
    """What the tipster sent, decrypted with `reader` (a keyring that holds the triage desk)."""
    from portal import vault

    key = vault.open_record_key(tip.vault_record, reader)
    content = json.loads(key.decrypt("content", bytes(tip.content)))
    if tip.contact is not None:
        content["contact"] = json.loads(key.decrypt("contact", bytes(tip.contact)))
    return content


def database_text() -> str:
    """Every value in every table as text (bytes as latin-1), plus SQLite's own dump: what a
    thief of the database file or a backup could read."""
    from django.db import connection

    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(json.dumps(value, default=str, ensure_ascii=False))
                        chunks.append(str(value))
    if connection.vendor == "sqlite":
        chunks.extend(connection.connection.iterdump())
    return "\n".join(chunks)
