"""Photos or documents added to an existing report: cleaned and sealed as at submission, under the
reply message's own key, readable by the desk, counted on the tipster's side."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from audit import Action
from portal import vault
from tests.factories import image
from tests.readers import database_text, events
from tests.tips.payloads import api_tip
from tips import followup
from tips.attachments import clean_upload
from tips.models import Attachment, Message, Tip
from triage import reading

MAKER = "TipsterPhoneMaker"
NAME = "van_on_pine_street.jpg"


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def submitted(recovery_key, private_storage):
    response = Client().post("/api/v1/tips/", api_tip(), content_type="application/json")
    assert response.status_code == 201
    return Tip.objects.get(), response.json()["receipt"]


def _photo() -> io.BytesIO:
    return image(name=NAME, exif={0x010F: MAKER})


def _stored(private_storage) -> list[bytes]:
    if not private_storage.exists():
        return []
    return [path.read_bytes() for path in private_storage.rglob("*") if path.is_file()]


def test_a_reply_with_a_photo_is_cleaned_sealed_and_read_by_the_desk(
    investigator, keys, submitted, desk_reader, private_storage
):
    tip, receipt = submitted

    response = Client().post(
        "/api/v1/follow-up/messages/",
        {"receipt": receipt, "body": "The van again.", "attachments": [_photo()]},
    )

    assert response.status_code == 201, response.content
    message = Message.objects.get(tip=tip)
    row = Attachment.objects.get()
    assert (row.tip_id, row.message_id, row.variant) == (tip.pk, message.pk, "cleaned")
    assert Tip.objects.get(pk=tip.pk).attachment_count == 1
    # Sealed: neither the name, nor the camera, nor the text is readable at rest.
    blobs = _stored(private_storage)
    assert len(blobs) == 1
    for needle in (NAME, MAKER, "The van again."):
        assert needle not in database_text()
        assert all(needle.encode() not in blob for blob in blobs)
    # Under the message's key: the tip's key does not open it, the message's does.
    tip_key = vault.open_record_key(tip.vault_record, desk_reader)
    with pytest.raises(vault.DecryptionFailed):
        tip_key.decrypt(row.name_field, bytes(row.name))
    # The desk reads it, name and picture, and the picture has lost its EXIF.
    view = reading.open_tip(tip, keys(investigator), actor=investigator)
    [info] = view.attachments
    assert (info.name, info.added_later) == (NAME, True)
    name, chunks = reading.attachment_chunks(tip, row, keys(investigator), actor=investigator)
    picture = Image.open(io.BytesIO(b"".join(chunks)))
    assert name == NAME and picture.size == (64, 48)
    assert not picture.getexif()
    [event] = events(Action.TIPSTER_MESSAGE_ADDED, tip)
    assert event.details == {"attachments": 1}


def test_the_tipster_thread_says_files_were_added(submitted):
    _tip, receipt = submitted

    Client().post("/api/v1/follow-up/messages/", {"receipt": receipt, "attachments": [_photo()]})

    [message] = followup.read_thread(receipt).messages
    assert (message.body, message.files) == ("", 1)
    page = Client().post("/follow-up/", {"receipt": receipt}).content.decode()
    assert "1 photo or document added." in page
    spanish = Client().post("/es/follow-up/", {"receipt": receipt}).content.decode()
    assert "1 foto o documento agregado." in spanish
    api = Client().post("/api/v1/follow-up/", {"receipt": receipt}, "application/json").json()
    assert api["messages"][0]["files"] == 1


def test_the_api_refuses_a_reply_with_neither_words_nor_files(submitted):
    _tip, receipt = submitted
    client = Client()

    for body in ({"receipt": receipt}, {"receipt": receipt, "body": "  "}):
        as_json = client.post("/api/v1/follow-up/messages/", body, "application/json")
        as_form = client.post("/api/v1/follow-up/messages/", body)
        for response in (as_json, as_form):
            assert response.status_code == 400
            assert "body" in response.json()["error"]["fields"]
    assert not Message.objects.exists()


def test_the_api_refuses_a_file_it_cannot_clean_and_stores_nothing(submitted, private_storage):
    _tip, receipt = submitted
    fake = io.BytesIO(b"<html>not a photo</html>")
    fake.name = "photo.jpg"

    response = Client().post(
        "/api/v1/follow-up/messages/", {"receipt": receipt, "body": "see", "attachments": [fake]}
    )

    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not Message.objects.exists() and _stored(private_storage) == []


def test_the_api_refuses_too_many_files(submitted, settings):
    _tip, receipt = submitted
    settings.TIP_ATTACHMENT_MAX_COUNT = 1

    response = Client().post(
        "/api/v1/follow-up/messages/",
        {"receipt": receipt, "attachments": [_photo(), image(name="b.jpg")]},
    )

    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not Message.objects.exists()


def test_json_replies_still_work(submitted):
    _tip, receipt = submitted

    response = Client().post(
        "/api/v1/follow-up/messages/",
        json.dumps({"receipt": receipt, "body": "Only words."}),
        "application/json",
    )

    assert response.status_code == 201
    assert not Attachment.objects.exists()


def test_the_web_form_takes_a_photo_and_redirects(investigator, keys, submitted):
    tip, receipt = submitted
    client = Client()
    page = client.post("/follow-up/", {"receipt": receipt}).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page

    reply = client.post(
        "/follow-up/reply/", {"receipt": receipt, "body": "", "attachments": _photo()}
    )

    assert (reply.status_code, reply["Location"]) == (303, "/follow-up/?added=1")
    row = Attachment.objects.get()
    assert row.message.tip_id == tip.pk
    name, _chunks = reading.attachment_chunks(tip, row, keys(investigator), actor=investigator)
    assert name == NAME


def test_the_web_form_keeps_the_typed_reply_when_a_file_is_refused(submitted):
    _tip, receipt = submitted
    fake = io.BytesIO(b"%PDF-not really")
    fake.name = "statement.pdf"

    page = Client().post(
        "/es/follow-up/reply/",
        {"receipt": receipt, "body": "Volvieron anoche.", "attachments": fake},
    )

    assert page.status_code == 400
    text = page.content.decode()
    assert "Volvieron anoche." in text and "statement.pdf" in text
    assert "Vuelva a elegir sus archivos" in text
    assert not Message.objects.exists()


def test_a_failed_transaction_leaves_no_blob(submitted, private_storage, monkeypatch):
    _tip, receipt = submitted

    def fail(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    cleaned = clean_upload(NAME, _photo().getvalue())
    monkeypatch.setattr("tips.actions.audit.record", fail)
    with pytest.raises(RuntimeError):
        followup.add_information(receipt, "", [cleaned])

    assert _stored(private_storage) == []
    assert not Attachment.objects.exists() and not Message.objects.exists()
