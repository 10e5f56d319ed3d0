"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) on the audit tables.

They stop the application, raw SQL and any other client of the database alike. A database owner
can drop them, which the hash chain and the signed checkpoints outside the database reveal.

The SQL is written out here, not imported, so that this migration stays what it was when it ran.
A later migration that makes Django rebuild an audit table on SQLite (most AlterField operations
do) drops these triggers with the old table and must create them again.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("audit_event", "audit_checkpoint")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""


def postgres_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    ]


def sqlite_triggers(table: str) -> list[str]:
    # SQLite has no TRUNCATE: `DELETE FROM t` without WHERE skips its fast path when a DELETE
    # trigger exists, so the row trigger covers it.
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on {table} refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on {table} refused'); END",
    ]


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function body's '%' placeholders are PL/pgSQL's, not the driver's.
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        statements = [sql for table in TABLES for sql in postgres_triggers(table)]
    elif vendor == "sqlite":
        statements = [sql for table in TABLES for sql in sqlite_triggers(table)]
    else:
        raise NotImplementedError(f"no append-only triggers written for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
