import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit import Action, record
from audit.models import AuditEvent, Checkpoint
from audit.notary import write_checkpoint
from tests.audit.tampering import sql
from tests.databases import postgres_only


def refused(statement: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as failure, transaction.atomic():
        sql(statement, params)
    return str(failure.value)


def triggers() -> set[str]:
    if connection.vendor == "postgresql":
        rows = sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
            "AND tgrelid IN ('audit_event'::regclass, 'audit_checkpoint'::regclass)"
        )
    else:
        rows = sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return {name for (name,) in rows if name.startswith("audit_")}


@pytest.mark.django_db
def test_it_refuses_update_and_delete_in_the_database():
    record(Action.TIP_SUBMITTED, actor=None)
    assert "append-only" in refused("UPDATE audit_event SET actor = 'system'")
    assert "append-only" in refused("DELETE FROM audit_event WHERE seq = 1")
    assert "append-only" in refused("DELETE FROM audit_event")
    assert AuditEvent.objects.get().actor == "anonymous"


@pytest.mark.django_db
def test_it_guards_the_checkpoint_table_too():
    record(Action.TIP_SUBMITTED, actor=None)
    write_checkpoint()
    assert "append-only" in refused("UPDATE audit_checkpoint SET size = 1")
    assert "append-only" in refused("DELETE FROM audit_checkpoint")
    assert Checkpoint.objects.get().size == 2


@postgres_only("TRUNCATE triggers are PostgreSQL's")
@pytest.mark.django_db
def test_it_refuses_truncate_on_postgres():
    record(Action.TIP_SUBMITTED, actor=None)
    assert "TRUNCATE" in refused("TRUNCATE audit_event")
    assert "TRUNCATE" in refused("TRUNCATE audit_checkpoint")
    assert AuditEvent.objects.count() == 1


@postgres_only("statement triggers are PostgreSQL's")
@pytest.mark.django_db
def test_it_uses_row_and_statement_triggers_on_postgres():
    assert triggers() == {
        "audit_event_append_only",
        "audit_event_no_truncate",
        "audit_checkpoint_append_only",
        "audit_checkpoint_no_truncate",
    }


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_the_test_flush_clear_the_tables_and_keeps_the_triggers():
    before = triggers()
    assert len(before) == 4
    record(Action.TIP_SUBMITTED, actor=None)
    write_checkpoint()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not Checkpoint.objects.exists()
    assert triggers() == before
    record(Action.TIP_SUBMITTED, actor=None)
    assert "append-only" in refused("DELETE FROM audit_event")
