import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit import Action, record
from audit.chain import verify_log
from audit.models import AuditEvent, Checkpoint
from audit.notary import write_checkpoint
from audit.testing import link_entries
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
    link_entries()
    assert "append-only" in refused("UPDATE audit_event SET actor = 'system'")
    assert "append-only" in refused("DELETE FROM audit_event WHERE seq = 1")
    assert "append-only" in refused("DELETE FROM audit_event")
    assert AuditEvent.objects.get().actor == "anonymous"


LINK = "UPDATE audit_event SET seq = %s, canon = %s, prev = %s, chain = %s WHERE id = %s"


def link_values(event: AuditEvent, seq: int = 1) -> list:
    return [seq, b'{"forged":1}', bytes(32), bytes(32), event.pk]


@pytest.mark.django_db
def test_it_refuses_changing_or_deleting_an_entry_that_is_not_linked_yet():
    event = record(Action.TIP_SUBMITTED, actor=None, n=1)
    assert "append-only" in refused("UPDATE audit_event SET actor = 'system'")
    assert "append-only" in refused("UPDATE audit_event SET details = %s", [b'{"n":2}'])
    assert "append-only" in refused("UPDATE audit_event SET at = %s", ["2001-01-01 00:00:00"])
    assert "append-only" in refused("DELETE FROM audit_event")
    # Linking while changing anything else, or linking only partly, is refused too.
    assert "append-only" in refused(
        LINK.replace(" WHERE", ", actor = 'system' WHERE"), link_values(event)
    )
    assert "append-only" in refused(LINK.replace(" WHERE", ", id = 99 WHERE"), link_values(event))
    assert "append-only" in refused(
        "UPDATE audit_event SET seq = 1, prev = %s, chain = %s", [bytes(32), bytes(32)]
    )
    stored = AuditEvent.objects.get()
    assert (stored.seq, stored.actor, bytes(stored.details_json)) == (None, "anonymous", b'{"n":1}')


@pytest.mark.django_db
def test_it_lets_an_unlinked_entry_be_linked_once_and_never_again():
    event = record(Action.TIP_SUBMITTED, actor=None)
    sql(LINK, link_values(event))  # the one change let through: NULL to values, nothing else
    assert AuditEvent.objects.get().seq == 1
    # Re-linking a linked entry (a new seq, or new hashes) is refused.
    assert "append-only" in refused(LINK, link_values(event, seq=2))
    assert "append-only" in refused("UPDATE audit_event SET chain = %s", [bytes(range(32))])
    assert "append-only" in refused(
        "UPDATE audit_event SET seq = NULL, canon = NULL, prev = NULL, chain = NULL"
    )
    assert AuditEvent.objects.get().seq == 1


@pytest.mark.django_db
def test_it_refuses_tampering_with_a_linked_entry():
    record(Action.TIP_SUBMITTED, actor=None)
    record(Action.TIP_CLAIMED, actor="system", target=("tips.tip", "abc"))
    link_entries()
    changes = [
        ("actor", "anonymous"),
        ("target_id", "other"),
        ("action", 202),
        ("canon", b"{}"),
        ("seq", 7),
        ("details", None),
    ]
    for column, value in changes:
        statement = f"UPDATE audit_event SET {column} = %s WHERE seq = 2"  # noqa: S608
        assert "append-only" in refused(statement, [value]), column
    assert "append-only" in refused("DELETE FROM audit_event WHERE seq = 2")
    assert verify_log().ok


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
