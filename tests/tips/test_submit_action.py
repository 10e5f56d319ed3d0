from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from PIL import Image

from audit import Action
from audit.models import AuditEvent
from portal import vault
from portal.vault.models import WrappedKey
from tests.tips.conftest import read_tip
from tips import actions
from tips.attachments import clean_upload
from tips.models import Attachment, Identifier, Tip
from tips.submission import Contact, TipSubmission


def submission(**overrides) -> TipSubmission:
    fields = {
        "what": "labor_trafficking",
        "description": "Men locked in the warehouse at night, call 913-555-0142",
        "immediate_danger": "no",
        "minor_involved": "no",
        "recency": "week",
        "location": "Warehouse behind 9th and Pine",
        "area": "olathe",
        "identifiers": {"plates": ["KS 7ABC123"], "emails": ["crew.boss@example.com"]},
        "indicators": frozenset({"debt", "unpaid"}),
        "contact": Contact(name="Ana Tester", phone="816 555 0100", may_contact=True),
    }
    fields.update(overrides)
    return TipSubmission(**fields)


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
    assert tip.priority_score == sum(reason["points"] for reason in tip.priority_reasons)
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
    assert b"warehouse" not in bytes(event.canon)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return out.getvalue()


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


def test_it_refuses_the_same_form_twice(recovery_key):
    actions.do_submit_tip(submission(), submission_token="token-1")

    with pytest.raises(actions.AlreadySubmitted):
        actions.do_submit_tip(submission(), submission_token="token-1")
    assert Tip.objects.count() == 1


def test_it_queues_the_urgent_notification_after_commit_with_the_id_only(
    recovery_key, django_capture_on_commit_callbacks, monkeypatch
):
    from tips import tasks

    sent = []
    # The broker is the edge: whether tasks run in-process or on real workers, what is queued
    # is the tip's id, once, after the commit.
    monkeypatch.setattr(tasks.notify_urgent_tip, "delay", lambda *args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip
        assert sent == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    assert sent == [(tip.pk,)]


def test_it_notifies_on_call_investigators_once_without_content(recovery_key, make_staff):
    on_call = make_staff("night-shift", "investigator")
    on_call.email, on_call.on_call = "night@example.org", True
    on_call.save(update_fields=["email", "on_call"])
    off_duty = make_staff("day-shift", "investigator")
    off_duty.email = "day@example.org"
    off_duty.save(update_fields=["email"])
    tip = actions.do_submit_tip(submission(immediate_danger="yes")).tip
    Tip.objects.filter(pk=tip.pk).update(urgent_notified_at=None)  # as if not yet run
    mail.outbox.clear()

    assert actions.do_notify_urgent(tip.pk) == 1

    assert [message.to for message in mail.outbox] == [["night@example.org"]]
    assert "warehouse" not in mail.outbox[0].body and str(tip.code) not in mail.outbox[0].body
    tip.refresh_from_db()
    assert tip.urgent_notified_at is not None
    assert actions.do_notify_urgent(tip.pk) is None  # a redelivered task sends nothing
    assert len(mail.outbox) == 1


def test_it_does_not_queue_a_notification_for_a_tip_that_is_not_urgent(
    recovery_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        actions.do_submit_tip(submission())

    assert callbacks == []
