"""The sequencer: entries written unlinked, linked in order after they commit, nothing left out."""

from __future__ import annotations

import datetime as dt
import json
import threading
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import Action, notary, record, sequencer
from audit.chain import iter_chunks, linked_head, verify_log
from audit.export import export_range
from audit.merkle import leaf_hash, root
from audit.models import AuditEvent, Checkpoint
from audit.record import APPEND_LOCK_KEY
from audit.testing import link_entries
from tests.databases import postgres_only
from tests.staff import login_verified


def unlinked() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


@pytest.mark.django_db
def test_it_links_entries_in_the_order_they_were_written_across_batches():
    events = [
        record(Action.TIP_VIEWED, actor="system", target=("tips.tip", f"t{n}")) for n in range(7)
    ]
    assert all(event.seq is None for event in events)
    with transaction.atomic():
        sequencer.lock_appends()
        assert sequencer.link_locked(batch_size=3) == 7
    by_id = list(AuditEvent.objects.order_by("id").values_list("seq", "target_id"))
    assert by_id == [(n + 1, f"t{n}") for n in range(7)]
    report = verify_log()
    assert (report.ok, report.checked) == (True, 7), report.problem


@pytest.mark.django_db
def test_it_links_new_entries_onto_the_existing_head():
    record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    record(Action.TIP_SUBMITTED, actor=None)
    record(Action.TIP_CLAIMED, actor="system")
    assert link_entries() == 2
    first, second, third = AuditEvent.objects.order_by("seq")
    assert bytes(second.prev) == bytes(first.chain) and bytes(third.prev) == bytes(second.chain)
    assert verify_log().checked == 3


@pytest.mark.django_db
def test_it_is_one_probe_and_no_lock_when_there_is_nothing_to_link():
    record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    with CaptureQueriesContext(connection) as context:
        sequencer.after_commit()
    [probe] = [q["sql"] for q in context.captured_queries]
    assert "seq IS NULL" in probe and "LIMIT 1" in probe


@pytest.mark.django_db
def test_it_asks_for_one_run_per_transaction_not_one_per_entry(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(5):
            record(Action.TIP_VIEWED, actor="system")
    assert callbacks.count(sequencer.after_commit) == 1


@pytest.mark.django_db
def test_it_asks_again_for_an_entry_outside_a_rolled_back_savepoint(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                record(Action.TIP_VIEWED, actor="system")
                raise RuntimeError("rolled back with its savepoint")
        except RuntimeError:
            pass
        record(Action.TIP_CLAIMED, actor="system")
    [event] = AuditEvent.objects.all()
    assert (event.action, event.seq) == (Action.TIP_CLAIMED, 1)


@pytest.mark.django_db(transaction=True)
def test_it_links_each_entry_after_its_transaction_commits_in_a_transaction_of_its_own():
    with transaction.atomic():
        event = record(Action.TIP_SUBMITTED, actor=None)
        # Inside the caller's transaction: written, not linked, and no chain lock taken.
        assert AuditEvent.objects.get(pk=event.pk).seq is None
    assert AuditEvent.objects.get(pk=event.pk).seq == 1  # linked right after the commit
    for _ in range(3):
        record(Action.TIP_VIEWED, actor="system")
    assert unlinked() == 0
    report = verify_log()
    assert (report.ok, report.checked) == (True, 4), report.problem


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_entry_and_no_gap():
    record(Action.TIP_SUBMITTED, actor=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(Action.TIP_CLAIMED, actor="system")
        raise RuntimeError("the action failed")
    record(Action.TIP_RELEASED, actor="system")
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, Action.TIP_SUBMITTED),
        (2, Action.TIP_RELEASED),
    ]


def other_session():
    """A second PostgreSQL session, as another app server's process has."""
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        autocommit=True,
    )


@postgres_only("the chain lock is an advisory lock across sessions")
@pytest.mark.django_db(transaction=True)
def test_it_does_not_wait_for_the_lock_another_process_holds():
    with other_session() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [APPEND_LOCK_KEY])
        event = record(Action.TIP_SUBMITTED, actor=None)  # commits; its run returns at once
        assert AuditEvent.objects.get(pk=event.pk).seq is None
        assert sequencer.sequence() == 0
        other.execute("SELECT pg_advisory_unlock(%s)", [APPEND_LOCK_KEY])
    assert sequencer.sequence() == 1
    assert AuditEvent.objects.get(pk=event.pk).seq == 1


@postgres_only("the chain lock is an advisory lock across sessions")
@pytest.mark.django_db(transaction=True)
def test_the_holder_of_the_lock_links_what_committed_while_it_held_it(monkeypatch):
    """The run that could not get the lock returns; the holder's probe after its commit sees it."""
    holding, go_on = threading.Event(), threading.Event()
    real_link = sequencer.link_locked
    holder_ids: set[int] = set()

    def link_then_hold(*args, **kwargs):
        linked = real_link(*args, **kwargs)
        if threading.get_ident() in holder_ids and not holding.is_set():
            holding.set()  # still under the lock, before this pass commits
            assert go_on.wait(30)
        return linked

    monkeypatch.setattr(sequencer, "link_locked", link_then_hold)
    errors: list[BaseException] = []

    def holder() -> None:
        holder_ids.add(threading.get_ident())
        try:
            record(Action.TIP_SUBMITTED, actor=None)  # its run links it and keeps the lock
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(30)
    late = record(Action.TIP_CLAIMED, actor="system")  # commits while the lock is held
    assert AuditEvent.objects.get(pk=late.pk).seq is None  # its own run did not wait
    go_on.set()
    thread.join(30)
    assert errors == []
    assert AuditEvent.objects.get(pk=late.pk).seq == 2  # linked by the holder
    assert unlinked() == 0 and verify_log().ok


@pytest.mark.django_db
def test_the_beat_task_links_whatever_was_left_unlinked(settings):
    from audit.tasks import sequence_audit

    schedule = settings.CELERY_BEAT_SCHEDULE["audit-sequence"]
    assert schedule["task"] == "audit.tasks.sequence_audit" == sequence_audit.name
    assert schedule["schedule"] == settings.AUDIT_SEQUENCE_INTERVAL
    for _ in range(3):
        record(Action.TIP_VIEWED, actor="system")  # as if the process died before its run
    sequence_audit.apply(throw=True)
    assert unlinked() == 0 and linked_head() == 3


@pytest.mark.django_db
def test_verification_reports_entries_left_unlinked_past_the_grace_period(settings):
    from audit.tasks import verify_log as nightly

    settings.AUDIT_SEQUENCE_GRACE = 60
    start = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        record(Action.TIP_SUBMITTED, actor=None)
        link_entries()
        record(Action.TIP_CLAIMED, actor="system")  # its sequencer run never came
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        report = verify_log()
        assert (report.ok, report.checked, report.unlinked) == (True, 1, 1)
        assert "1 newer entries not linked yet" in report.summary()
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        report = verify_log()
        assert not report.ok and report.first_bad is None
        assert "not linked into the chain after 60 seconds" in report.problem
        assert "no tamper evidence" in report.problem
        with pytest.raises(CommandError) as failure:
            call_command("verify_audit", "--no-record", stdout=StringIO())
        assert failure.value.returncode == 1
        assert "sequencer is stalled" in str(failure.value)
        nightly.apply()
    failed = AuditEvent.objects.filter(action=Action.AUDIT_VERIFICATION_FAILED).get()
    assert "not linked" in failed.details["problem"]
    link_entries()
    assert verify_log().ok  # once linked, the window is closed


@pytest.mark.django_db
def test_a_checkpoint_links_first_and_covers_linked_entries_only():
    for n in range(4):
        record(Action.TIP_VIEWED, actor="system", n=n)
    assert notary.write_checkpoint()
    checkpoint = Checkpoint.objects.get()
    # The four entries and the checkpoint's own entry, all linked before signing.
    assert checkpoint.size == 5 == linked_head() and unlinked() == 0
    leaves = [leaf_hash(bytes(canon)) for chunk in iter_chunks() for _s, canon, _p, _c in chunk]
    assert bytes(checkpoint.root) == root(leaves)
    record(Action.TIP_VIEWED, actor="system", n=9)  # unlinked: not in the chain yet
    assert verify_log().checked == 5
    assert notary.write_checkpoint()
    assert Checkpoint.objects.order_by("-size").first().size == 7


@pytest.mark.django_db
def test_an_export_holds_linked_entries_only():
    record(Action.TIP_VIEWED, actor="system", n=1)
    link_entries()
    record(Action.TIP_VIEWED, actor="system", n=2)
    lines = [json.loads(line) for line in export_range()]
    assert lines[0]["to"] == 1
    assert [line["details"] for line in lines if line["type"] == "entry"] == [{"n": 1}]


@pytest.mark.django_db
def test_the_viewer_shows_an_entry_not_linked_yet_first(client, supervisor_user):
    record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    record(Action.TIP_CLAIMED, actor="system", target=("tips.tip", "c0ffee"), n=1)
    login_verified(client, supervisor_user)
    response = client.get("/audit/")
    assert response.status_code == 200
    first, *rest = response.context["rows"]
    assert (first.seq, first.action, first.details) == (None, "TIP_CLAIMED", {"n": 1})
    assert rest[-1].seq == 1
    assert "not yet chained" in response.content.decode()


@postgres_only("synchronous_commit and application_name are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_linking_transaction_commits_asynchronously_and_names_its_holder(monkeypatch):
    seen = []
    real_link = sequencer.link_locked

    def spy(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('synchronous_commit'), current_setting('application_name')"
            )
            seen.append(cursor.fetchone())
        return real_link(*args, **kwargs)

    monkeypatch.setattr(sequencer, "link_locked", spy)
    record(Action.TIP_SUBMITTED, actor=None)
    assert seen == [("off", "audit-sequencer")]
    with connection.cursor() as cursor:  # both settings end with the linking transaction
        cursor.execute("SELECT current_setting('synchronous_commit')")
        assert cursor.fetchone() == ("on",)
    assert linked_head() == 1
