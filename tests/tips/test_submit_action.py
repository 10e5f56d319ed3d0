from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from audit import Action
from audit.models import AuditEvent
from audit.testing import link_entries
from portal import outbox, vault
from portal.models import OutboxJob
from portal.vault.models import WrappedKey
from tests import factories
from tests.readers import read_tip
from tips import actions
from tips.attachments import clean_upload
from tips.models import Attachment, Identifier, SubmissionRetry, Tip
from tips.submission import Contact, TipSubmission


def submission(**overrides) -> TipSubmission:
    """A submission with every kind of typed text this module checks is sealed."""
    return factories.submission(
        **{
            "description": "Men locked in the warehouse at night, call 913-555-0142",
            "identifiers": {"plates": ["KS 7ABC123"], "emails": ["crew.boss@example.com"]},
            "indicators": frozenset({"debt", "unpaid"}),
            "contact": Contact(name="Ana Tester", phone="816 555 0100", may_contact=True),
            **overrides,
        }
    )


def test_it_seals_what_was_typed_and_reads_back_with_the_desk_key(desk_reader):
    submitted = actions.do_submit_tip(submission())

    tip = Tip.objects.get(pk=submitted.tip.pk)
    content = read_tip(tip, desk_reader)
    assert content["description"] == "Men locked in the warehouse at night, call 913-555-0142"
    assert content["identifiers"]["plates"] == ["KS 7ABC123"]
    assert content["indicators"] == ["debt", "unpaid"]
    assert content["contact"]["name"] == "Ana Tester"
    assert b"warehouse" not in bytes(tip.content)
    assert b"Ana" not in bytes(tip.contact)


def test_it_wraps_the_data_key_to_the_triage_desk_only(recovery_key):
    tip = actions.do_submit_tip(submission()).tip

    wraps = WrappedKey.objects.filter(record_type="tips.tip", record_id=str(tip.code))
    assert [wrap.desk.slug for wrap in wraps] == ["triage"]


def test_it_derives_the_receipt_lookup_and_tipster_key_but_never_stores_the_receipt(
    recovery_key,
):
    submitted = actions.do_submit_tip(submission())

    tip = submitted.tip
    assert bytes(tip.receipt_lookup) == vault.tipster.receipt_lookup(submitted.receipt)
    public = vault.tipster.tipster_keypair(submitted.receipt).public_bytes()
    assert bytes(tip.tipster_public_key) == public
    compact = vault.tipster.normalize_receipt(submitted.receipt)
    for value in Tip.objects.values_list().get(pk=tip.pk):
        assert compact not in str(value)


def test_it_stores_score_reasons_flags_and_counts_in_the_clear(recovery_key):
    tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip

    assert tip.priority_level == tip.computed_level == "urgent"
    codes = {reason["code"] for reason in tip.priority_reasons}
    assert {"immediate_danger", "recent_week", "specific_location", "identifiers"} <= codes
    # "locked in" in the description: a strong signal, kept as its code alone.
    assert "signal_locked_in" in codes
    assert "locked" not in str(tip.priority_reasons).replace("signal_locked_in", "")
    # The score is capped at 100; the reasons are kept in full.
    total = sum(reason["points"] for reason in tip.priority_reasons)
    assert tip.priority_score == min(100, total)
    assert tip.has_contact and tip.may_contact
    assert tip.status == "new" and tip.category == "labor_trafficking"


def test_it_indexes_identifiers_from_fields_and_free_text(recovery_key):
    tip = actions.do_submit_tip(submission()).tip

    kinds = sorted(Identifier.objects.filter(tip=tip).values_list("kind", flat=True))
    assert kinds == ["email", "phone", "plate"]
    assert tip.identifier_count == 3
    phone = vault.blind_index.blind_index("phone", "(913) 555-0142")
    assert Identifier.objects.filter(
        tip=tip, kind="phone", digest=int.from_bytes(phone, "big")
    ).exists()


def test_it_writes_the_audit_entry_with_the_tip_and_no_content(recovery_key):
    tip = actions.do_submit_tip(submission()).tip

    event = AuditEvent.objects.get(action=Action.TIP_SUBMITTED)
    assert event.actor == "anonymous"
    assert event.target_id == str(tip.code)
    assert b"warehouse" not in bytes(event.details_json)
    link_entries()
    assert b"warehouse" not in bytes(AuditEvent.objects.get(pk=event.pk).canon)


def _jpeg() -> bytes:
    return factories.image("red", (40, 30)).getvalue()


def test_it_stores_attachments_encrypted_and_reads_them_back(desk_reader, private_storage):
    cleaned = clean_upload("van.jpg", _jpeg(), keep_original=True)
    tip = actions.do_submit_tip(submission(attachments=(cleaned,))).tip

    rows = {row.variant: row for row in Attachment.objects.filter(tip=tip)}
    assert set(rows) == {"cleaned", "original"}
    key = vault.open_record_key(tip.vault_record, desk_reader)
    for variant, expected in (("cleaned", cleaned.data), ("original", cleaned.original)):
        row = rows[variant]
        assert key.decrypt(row.name_field, bytes(row.name)) == b"van.jpg"
        sealed = default_storage.open(row.blob).read()
        assert expected not in sealed
        out = io.BytesIO()
        key.decrypt_stream(row.blob_field, io.BytesIO(sealed), out)
        assert out.getvalue() == expected
    assert tip.attachment_count == 1


def test_it_leaves_nothing_behind_when_the_transaction_fails(
    recovery_key, private_storage, monkeypatch
):
    cleaned = clean_upload("van.jpg", _jpeg())

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(actions.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        actions.do_submit_tip(submission(attachments=(cleaned,)))

    assert not Tip.objects.exists()
    assert not WrappedKey.objects.filter(record_type="tips.tip").exists()
    stored = list((private_storage / "attachments").glob("*")) if private_storage.exists() else []
    assert stored == []


RETRY_KEY = "k3y-of-the-client-0123456789abcdef"


def test_it_answers_a_retry_with_the_first_receipt_and_stores_one_tip(recovery_key):
    first = actions.do_submit_tip(submission(), retry_key=RETRY_KEY)
    again = actions.do_submit_tip(submission(), retry_key=RETRY_KEY, same_submission_only=True)

    assert (again.receipt, again.status, again.tip) == (first.receipt, first.status, first.tip)
    assert (first.replayed, again.replayed) == (False, True)
    assert Tip.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.TIP_SUBMITTED).count() == 1


def test_it_refuses_a_retry_key_that_comes_back_with_another_submission(recovery_key):
    actions.do_submit_tip(submission(), retry_key=RETRY_KEY)

    with pytest.raises(actions.RetryMismatch):
        actions.do_submit_tip(
            submission(description="Something else"), retry_key=RETRY_KEY, same_submission_only=True
        )
    assert Tip.objects.count() == 1


def test_it_stores_a_new_tip_once_the_retry_window_has_passed(recovery_key, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC), tick=False)
    first = actions.do_submit_tip(submission(), retry_key=RETRY_KEY)
    time_machine.shift(actions.retry_window() + dt.timedelta(seconds=1))

    later = actions.do_submit_tip(submission(), retry_key=RETRY_KEY)

    assert later.receipt != first.receipt and not later.replayed
    assert Tip.objects.count() == 2
    assert SubmissionRetry.objects.count() == 1


def test_it_forgets_the_sealed_answers_after_the_window(recovery_key, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC), tick=False)
    actions.do_submit_tip(submission(), retry_key=RETRY_KEY)
    assert actions.do_forget_retry_copies() == 0
    time_machine.shift(actions.retry_window() + dt.timedelta(seconds=1))

    assert actions.do_forget_retry_copies() == 1
    assert not SubmissionRetry.objects.exists()


def test_it_records_the_urgent_notification_with_the_tip_and_nudges_after_commit(
    recovery_key, django_capture_on_commit_callbacks, monkeypatch
):
    nudged = []
    # The broker is the edge: what leaves the process is the outbox job's id, after commit.
    monkeypatch.setattr(outbox, "nudge", nudged.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip
        [job] = OutboxJob.objects.all()  # in the tip's own transaction
        assert nudged == []

    for callback in callbacks:
        callback()
    assert (job.task, job.args) == ("tips.tasks.notify_urgent_tip", [tip.pk])
    assert nudged == [job.pk]


@pytest.mark.django_db(transaction=True)  # a real commit runs the real on-commit callbacks
def test_it_shows_the_receipt_even_when_work_after_the_commit_fails(
    recovery_key, private_storage, monkeypatch
):
    def broken_nudge(job_id):
        raise ConnectionError("broker gone")

    monkeypatch.setattr(outbox, "nudge", broken_nudge)
    cleaned = clean_upload("van.jpg", _jpeg())

    submitted = actions.do_submit_tip(submission(immediate_danger="yes", attachments=(cleaned,)))

    assert submitted.receipt
    [row] = Attachment.objects.filter(tip=submitted.tip)
    assert default_storage.exists(row.blob)  # the photo is still there for the investigator


def test_it_notifies_on_call_investigators_once_without_content(
    recovery_key, make_staff, committed
):
    on_call = make_staff("night-shift", "investigator")
    on_call.email, on_call.on_call = "night@example.org", True
    on_call.save(update_fields=["email", "on_call"])
    off_duty = make_staff("day-shift", "investigator")
    off_duty.email = "day@example.org"
    off_duty.save(update_fields=["email"])
    tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip
    mail.outbox.clear()

    assert committed(actions.do_notify_urgent, tip.pk) == 1

    assert [message.to for message in mail.outbox] == [["night@example.org"]]
    assert "warehouse" not in mail.outbox[0].body and str(tip.code) not in mail.outbox[0].body
    tip.refresh_from_db()
    assert tip.urgent_notified_at is not None
    assert committed(actions.do_notify_urgent, tip.pk) is None  # a redelivery sends nothing
    assert len(mail.outbox) == 1


def test_it_sends_no_mail_inside_the_transaction(recovery_key, make_staff, monkeypatch):
    on_call = make_staff("night-shift", "investigator")
    on_call.email, on_call.on_call = "night@example.org", True
    on_call.save(update_fields=["email", "on_call"])
    tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip
    monkeypatch.setattr(outbox, "nudge", lambda job_id: None)

    actions.do_notify_urgent(tip.pk)  # its transaction is the test's: never committed

    assert mail.outbox == []
    assert OutboxJob.objects.filter(task="portal.tasks.send_staff_mail").count() == 1


def test_it_does_not_queue_a_notification_for_a_tip_that_is_not_urgent(recovery_key):
    actions.do_submit_tip(submission())

    assert not OutboxJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_files_when_the_connection_drops_during_the_commit(
    recovery_key, private_storage, monkeypatch
):
    # The server committed, but its answer to COMMIT never arrived: the tip may well be stored
    # (a retry with its key will replay the receipt), so its photo must stay.
    from django.db import OperationalError, connection

    real_commit = connection._commit

    def commit_then_lose_the_connection():
        real_commit()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "_commit", commit_then_lose_the_connection)
    cleaned = clean_upload("van.jpg", _jpeg())

    with pytest.raises(OperationalError):
        actions.do_submit_tip(submission(attachments=(cleaned,)), retry_key=RETRY_KEY)
    monkeypatch.undo()

    [row] = Attachment.objects.all()
    assert default_storage.exists(row.blob)
    again = actions.do_submit_tip(submission(attachments=(cleaned,)), retry_key=RETRY_KEY)
    assert again.replayed and again.tip == row.tip


def test_it_writes_the_audit_entry_without_the_chain_lock_and_links_it_after_commit(
    recovery_key, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit import sequencer
    from audit.chain import verify_log

    monkeypatch.setattr(outbox, "nudge", lambda job_id: None)
    # Urgent and with a retry key: every row a submission can write.
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as context,
    ):
        tip = actions.do_submit_tip(submission(immediate_danger="yes"), retry_key=RETRY_KEY).tip

    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    # No lock and no read of the chain in the submission's transaction: one INSERT of its entry.
    assert not [sql for sql in statements if "advisory" in sql], statements
    [entry_sql] = [sql for sql in statements if "audit_event" in sql]
    assert entry_sql.startswith("INSERT INTO audit_event")
    assert OutboxJob.objects.count() == 1 and SubmissionRetry.objects.count() == 1
    event = AuditEvent.objects.get(action=Action.TIP_SUBMITTED, target_id=str(tip.code))
    assert event.seq is None  # committed with the tip, not linked yet

    # After the commit, the sequencer links it in a transaction of its own.
    assert sequencer.after_commit in callbacks
    with CaptureQueriesContext(connection) as linking:
        sequencer.after_commit()
    assert AuditEvent.objects.get(pk=event.pk).seq == AuditEvent.objects.count()  # the newest
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert not [q for q in linking.captured_queries if "tips_" in q["sql"]]
    report = verify_log()
    assert (report.ok, report.checked) == (True, AuditEvent.objects.count()), report.problem
