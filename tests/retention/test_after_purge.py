"""A purge leaves nothing of a tip but its tombstone: every table, SQLite's dump, the storage
folder and the logs are scanned for every string and identifier the tip ever held; no key left
opens anything of it. And after it: 410 with the tombstone, the receipt answers like a wrong
one, the liaison sees the outcome only, the queue forgets it, statistics still count it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit import Action
from audit.models import AuditEvent
from handoffs import actions as handoff_actions
from handoffs.models import Activity, Consent, Handoff
from partners.models import Organization
from portal import vault
from portal.vault import keys as vault_keys
from portal.vault import tipster
from portal.vault.models import WrappedKey
from retention.models import TipTombstone
from tests import factories
from tests.commands import run
from tests.readers import database_text
from tests.retention.conftest import T0
from tests.staff import sign_in
from tips import followup
from tips.attachments import clean_upload
from tips.models import Attachment, Identifier, Message, Tip
from triage import actions
from triage.models import Change, Link, Note

PHOTO_NAME = "IMG_from_marias_phone.jpg"
NOTE = "Owner drives a silver Tahoe, goes by Big Lou"
TIPSTER_ADDS = "They moved the girls to the motel on Route 7"
INVESTIGATOR_ASKS = "Can you tell us the room number?"
LIAISON_NOTE = "Client staying with her cousin in Gardner"
CLOSE_REASON_TEXT = "Handed to the state bureau, nothing more here"


@pytest.fixture
def everything(clock, submit, investigator, keys, liaison_a, *, caplog, settings):
    """A tip that had a photo, a contact, a note, a thread, a handoff with consent (closed with
    an outcome, and a liaison's note) and a related link, then closed as resolved with the
    period set to 0; returns what it held."""
    caplog.set_level(logging.DEBUG)
    settings.RETENTION_RESOLVED_DAYS = 0
    photo = clean_upload(PHOTO_NAME, factories.image(name=PHOTO_NAME).getvalue())
    tip, receipt = submit(contact=factories.tipster_contact(), attachments=(photo,))
    other = submit(description="Another tip about the same van")[0]
    tip = actions.do_claim(tip, acting_user=investigator)
    actions.do_add_note(tip, NOTE, acting_user=investigator, unlocked=keys(investigator))
    actions.do_message_tipster(tip, INVESTIGATOR_ASKS, acting_user=investigator)
    followup.add_information(receipt, TIPSTER_ADDS)
    actions.do_link(tip, other, acting_user=investigator)
    org = Organization.objects.get(slug="org-a")
    handoff = factories.hand_off(tip, org, acting_user=investigator, with_consent=True)
    handoff_actions.do_accept(handoff, acting_user=liaison_a)
    handoff_actions.do_record_outcome(
        handoff, "services_provided", services_provided=("shelter",), note=LIAISON_NOTE,
        acting_user=liaison_a,
    )  # fmt: skip
    tip = actions.do_transition(
        Tip.objects.get(pk=tip.pk), "closed", acting_user=investigator,
        reason=CLOSE_REASON_TEXT, unlocked=keys(investigator), close_reason="resolved",
    )  # fmt: skip
    message_codes = [str(c) for c in Message.objects.filter(tip=tip).values_list("code", flat=True)]
    activity_codes = [
        str(c) for c in Activity.objects.filter(handoff=handoff).values_list("code", flat=True)
    ]
    held = {
        "texts": [
            factories.DESCRIPTION, "Warehouse behind 9th and Pine", "7ABC123",
            factories.TIPSTER_NAME, factories.TIPSTER_PHONE, factories.SUMMARY,
            factories.SAFE_CONTACT, PHOTO_NAME, NOTE, TIPSTER_ADDS, INVESTIGATOR_ASKS,
            LIAISON_NOTE, CLOSE_REASON_TEXT, receipt,
        ],
        "codes": [
            *(str(c) for c in Attachment.objects.filter(tip=tip).values_list("code", flat=True)),
            *message_codes,
            *(str(c) for c in Note.objects.filter(tip=tip).values_list("code", flat=True)),
            *(str(c) for c in Change.objects.filter(tip=tip).values_list("code", flat=True)),
            str(Consent.objects.get(handoff=handoff).code),
            *activity_codes,
            *Attachment.objects.filter(tip=tip).values_list("blob", flat=True),
        ],
        "lookup": bytes(tip.receipt_lookup),
        "tipster_key": bytes(tip.tipster_public_key),
        "indexes": list(Identifier.objects.filter(tip=tip).values_list("kind", "digest")),
        "records": [
            ("tips.tip", str(tip.code)),
            *(("tips.message", code) for code in message_codes),
            ("handoffs.handoff", str(handoff.code)),
            ("handoffs.identity", str(handoff.code)),
            *(("handoffs.activity", code) for code in activity_codes),
        ],
    }  # fmt: skip
    assert held["indexes"] and len(held["codes"]) >= 6
    return tip, receipt, handoff, other, held


# The audit log is append-only and hash-chained: it names records by their random ids (the tip,
# its messages, the consent entry) and keeps them, pointing at rows that no longer exist.
AUDIT_TABLES = {"audit_event", "audit_checkpoint"}


def text_outside_the_audit_log() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in AUDIT_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    if connection.vendor == "sqlite":
        chunks.extend(
            line
            for line in connection.connection.iterdump()
            if not any(f'INSERT INTO "{table}"' in line for table in AUDIT_TABLES)
        )
    return "\n".join(chunks)


@pytest.fixture
def purge(clock, django_capture_on_commit_callbacks):
    """Run the purge a day later, as committed: the attachment files go after the commit."""

    def call() -> str:
        clock.move_to(T0 + timedelta(days=1), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            return run("purge_expired")

    return call


def test_nothing_of_a_purged_tip_remains(everything, purge, private_storage, caplog, recovery_key):
    tip, _receipt, _handoff, other, held = everything
    assert any(private_storage.rglob("*"))

    assert purge().strip() == "purged 1, held 0, postponed 0"

    dump = database_text()
    for text in held["texts"]:
        assert text not in dump, text
    outside = text_outside_the_audit_log()
    for code in held["codes"]:
        assert code not in outside, code
    raw = dump.encode("latin-1", "replace")
    assert held["lookup"] not in raw and held["tipster_key"] not in raw
    assert not Tip.objects.filter(pk=tip.pk).exists()
    assert not Identifier.objects.filter(tip_id=tip.pk).exists()
    assert not (Link.objects.filter(tip_id=tip.pk) | Link.objects.filter(other_id=tip.pk)).exists()
    assert not [path for path in private_storage.rglob("*") if path.is_file()]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in held["texts"] + held["codes"]:
        assert text not in logged, text
    recovery = vault.RecoveryKeyring(recovery_key)
    for record in held["records"]:
        assert not WrappedKey.objects.filter(record_type=record[0], record_id=record[1]).exists()
        with pytest.raises(vault.Shredded):
            vault.open_record_key(record, recovery)
    # What stays names the tip only by its public id, with the plaintext the statistics need.
    stone = TipTombstone.objects.get(code=tip.code)
    assert (stone.category, stone.close_reason, stone.area) == (tip.category, "resolved", "olathe")
    assert stone.handoff_outcomes == ["services_provided"]
    assert Tip.objects.filter(pk=other.pk).exists()
    assert run("verify_audit").startswith("audit log intact: ")


def test_the_purged_tip_answers_410_with_its_tombstone(everything, purge, investigator):
    tip = everything[0]
    purge()
    api = sign_in(Client(), investigator)

    response = api.get(f"/api/v1/triage/tips/{tip.code}/")

    assert response.status_code == 410
    body = response.json()
    assert body["error"]["code"] == "purged"
    assert {"id", "created_at", "closed_at", "purged_at", "category", "priority_level", "area",
            "close_reason"} <= set(body["tombstone"])  # fmt: skip
    assert body["tombstone"]["id"] == str(tip.code)
    assert body["tombstone"]["close_reason"] == "resolved"
    assert api.get(f"/triage/tips/{tip.code}/").status_code == 410
    queue = api.get("/api/v1/triage/tips/", {"include_closed": "1"}).json()["results"]
    assert str(tip.code) not in {item["id"] for item in queue}


def _answer(receipt: str, monkeypatch) -> tuple[int, dict, int, int]:
    unwraps: list[int] = []
    derived: list[int] = []
    real_unwrap, real_keypair = vault_keys.unwrap, tipster.tipster_keypair

    def counting_unwrap(*args, **kwargs):
        unwraps.append(1)
        return real_unwrap(*args, **kwargs)

    def counting_keypair(*args, **kwargs):
        derived.append(1)
        return real_keypair(*args, **kwargs)

    monkeypatch.setattr(vault_keys, "unwrap", counting_unwrap)
    monkeypatch.setattr("portal.vault.records.keys.unwrap", counting_unwrap)
    monkeypatch.setattr(tipster, "tipster_keypair", counting_keypair)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = Client().post("/api/v1/follow-up/", {"receipt": receipt}, "application/json")
    monkeypatch.undo()
    audited = AuditEvent.objects.count() - before
    return (
        response.status_code,
        response.json(),
        len(unwraps) + 100 * len(derived),
        (len(queries) * 10 + audited),
    )


def test_the_receipt_of_a_purged_tip_answers_like_a_wrong_receipt(everything, purge, monkeypatch):
    receipt = everything[1]
    purge()

    purged = _answer(receipt, monkeypatch)
    wrong = _answer(tipster.new_receipt(), monkeypatch)

    assert purged == wrong
    assert purged[0] == 404 and purged[2] >= 101  # one key derivation, one decapsulation
    assert AuditEvent.objects.filter(action=Action.FOLLOW_UP_FAILED).count() == 2


def test_the_liaison_sees_the_outcome_only(everything, purge, liaison_a):
    handoff = everything[2]
    purge()
    lia = sign_in(Client(), liaison_a)

    page = lia.get(f"/handoffs/{handoff.code}/")
    answer = lia.get(f"/api/v1/handoffs/{handoff.code}/").json()

    assert page.status_code == 200
    assert "removed under the retention policy" in page.content.decode()
    assert factories.SUMMARY not in page.content.decode()
    assert answer["removed"] == "removed under the retention policy"
    assert answer["outcome"] == "services_provided" and "summary" not in answer
    stripped = Handoff.objects.get(pk=handoff.pk)
    assert stripped.tip_id is None and bytes(stripped.request) == b""


def test_statistics_still_count_the_purged_tip(everything, purge, supervisor):
    purge()
    boss = sign_in(Client(), supervisor)

    page = boss.get("/handoffs/statistics/").content.decode()

    assert "Services provided" in page
    assert TipTombstone.objects.filter(close_reason="resolved").count() == 1


def test_the_liaison_can_no_longer_add_to_a_purged_handoff(everything, purge, liaison_a):
    handoff = everything[2]
    purge()

    with pytest.raises(handoff_actions.WrongState):
        handoff_actions.do_add_note(
            Handoff.objects.get(pk=handoff.pk), "One more thing", acting_user=liaison_a
        )
    assert not Activity.objects.filter(handoff_id=handoff.pk).exists()
