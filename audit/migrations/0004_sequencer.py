"""Entries are written unlinked and linked into the chain after they commit (audit/sequencer.py).

`id` becomes the primary key (the order entries were written in); `seq`, `canon`, `prev` and
`chain` become NULL until the sequencer links the entry, and `details` holds an unlinked entry's
canonical details. Existing rows keep their seq and hashes, and get ids in seq order.

The append-only trigger on `audit_event` is replaced by one that lets through a single kind of
UPDATE: the linking of an unlinked entry (`seq`, `canon`, `prev`, `chain` from NULL to values,
every other column unchanged). Every other UPDATE and every DELETE (and TRUNCATE on PostgreSQL)
is still refused. The checkpoint table's triggers are not touched.

On SQLite, changing the primary key rebuilds the table, which drops its triggers: they are
dropped first and created again, in their new form, at the end. As in 0002 the SQL is written out
here, so that this migration stays what it was when it ran.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Linked columns: NULL before linking, all set by it. Every other column must stay as it is.
LINK_COLUMNS = ("seq", "canon", "prev", "chain")
KEPT_COLUMNS = ("id", "at", "actor", "action", "target_type", "target_id", "details")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_link_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.seq IS NULL AND OLD.canon IS NULL AND OLD.prev IS NULL AND OLD.chain IS NULL
       AND NEW.seq IS NOT NULL AND NEW.canon IS NOT NULL
       AND NEW.prev IS NOT NULL AND NEW.chain IS NOT NULL
       AND (to_jsonb(NEW) - 'seq' - 'canon' - 'prev' - 'chain')
           = (to_jsonb(OLD) - 'seq' - 'canon' - 'prev' - 'chain')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""

POSTGRES_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$
"""

_IS_LINKING = " AND ".join(
    [f"OLD.{column} IS NULL" for column in LINK_COLUMNS]
    + [f"NEW.{column} IS NOT NULL" for column in LINK_COLUMNS]
    + [f"NEW.{column} IS OLD.{column}" for column in KEPT_COLUMNS]
)

SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"WHEN NOT ({_IS_LINKING}) "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on audit_event refused'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on audit_event refused'); END",
]

SQLITE_OLD_TRIGGERS = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE on audit_event refused'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE on audit_event refused'); END",
]


def _drop(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    else:
        raise NotImplementedError(f"no append-only triggers written for {vendor}")


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _drop(schema_editor)


def create_link_only_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _drop(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the function body's '%' placeholders are PL/pgSQL's, not the driver's.
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_link_only()"
        )
        schema_editor.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )
    else:
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def create_old_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _drop(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_OLD_FUNCTION, params=None)
        schema_editor.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        schema_editor.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_link_only()")
    else:
        for sql in SQLITE_OLD_TRIGGERS:
            schema_editor.execute(sql)


def drop_seq_primary_key(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """PostgreSQL: Django's AlterField leaves the old primary key; `id` needs its place."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, "audit_event")
    for name, info in constraints.items():
        if info["primary_key"] and info["columns"] == ["seq"]:
            schema_editor.execute(f'ALTER TABLE audit_event DROP CONSTRAINT "{name}"')


def refuse_unlinked(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Going back needs every entry linked: the old table has no place for an unlinked one."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.filter(seq__isnull=True).exists():
        raise RuntimeError(
            "link every audit entry (manage.py audit_checkpoint links them) before going back"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_stream_cursor")]

    operations = [
        migrations.RunPython(drop_triggers, create_old_triggers, elidable=False),
        migrations.RunPython(migrations.RunPython.noop, refuse_unlinked, elidable=False),
        # seq stops being the primary key first: a table has one, and `id` takes its place.
        migrations.RunPython(drop_seq_primary_key, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="details_json",
            field=models.BinaryField(db_column="details", null=True),
        ),
        migrations.AlterField(
            model_name="auditevent", name="canon", field=models.BinaryField(null=True)
        ),
        migrations.AlterField(
            model_name="auditevent", name="prev", field=models.BinaryField(null=True)
        ),
        migrations.AlterField(
            model_name="auditevent", name="chain", field=models.BinaryField(null=True)
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)),
                fields=["id"],
                name="audit_event_unlinked",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("canon__isnull", True),
                        ("chain__isnull", True),
                        ("details_json__isnull", False),
                        ("prev__isnull", True),
                        ("seq__isnull", True),
                    ),
                    models.Q(
                        ("canon__isnull", False),
                        ("chain__isnull", False),
                        ("prev__isnull", False),
                        ("seq__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="audit_event_linked_whole",
            ),
        ),
        migrations.RunPython(create_link_only_triggers, drop_triggers, elidable=False),
    ]
