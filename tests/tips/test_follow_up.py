from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit import Action
from audit.models import AuditEvent
from portal import vault
from portal.vault import keys, tipster
from tests.factories import investigator_says, submission
from tests.tips.payloads import api_tip
from tips import actions, followup
from tips.models import Message, Status, Tip


@pytest.fixture
def submitted(recovery_key):
    client = Client()
    response = client.post("/api/v1/tips/", api_tip(), content_type="application/json")
    assert response.status_code == 201
    return Tip.objects.get(), response.json()["receipt"]


def test_it_shows_the_coarse_status_and_the_thread(submitted):
    tip, receipt = submitted
    investigator_says(tip, "Which night of the week is busiest?")

    response = Client().post("/api/v1/follow-up/", {"receipt": receipt}, "application/json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "received"
    assert [(m["sender"], m["body"]) for m in body["messages"]] == [
        ("investigator", "Which night of the week is busiest?")
    ]


@pytest.mark.parametrize(
    ("status", "shown"),
    [(Status.NEW, "received"), (Status.INVESTIGATING, "under_review"), (Status.CLOSED, "closed")],
)
def test_it_maps_every_status_to_what_a_tipster_may_see(submitted, status, shown):
    tip, receipt = submitted
    Tip.objects.filter(pk=tip.pk).update(
        status=status, close_reason="resolved" if status == Status.CLOSED else ""
    )

    assert followup.read_thread(receipt).status.value == shown


def test_it_accepts_the_receipt_typed_loosely(submitted):
    _tip, receipt = submitted
    loose = receipt.lower().replace("-", " ")

    assert followup.read_thread(loose) is not None


def test_it_answers_a_wrong_receipt_with_404_and_audits_the_attempt(submitted):
    response = Client().post(
        "/api/v1/follow-up/", {"receipt": tipster.new_receipt()}, "application/json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert AuditEvent.objects.filter(action=Action.FOLLOW_UP_FAILED).count() == 1


def test_it_refuses_a_code_that_cannot_be_a_receipt(submitted):
    response = Client().post("/api/v1/follow-up/", {"receipt": "hello"}, "application/json")

    assert response.status_code == 400
    assert "receipt" in response.json()["error"]["fields"]


def _work(receipt: str, monkeypatch) -> tuple[int, int, int]:
    unwraps = []
    real_unwrap = keys.unwrap

    def counting_unwrap(*args, **kwargs):
        unwraps.append(1)
        return real_unwrap(*args, **kwargs)

    monkeypatch.setattr(keys, "unwrap", counting_unwrap)
    monkeypatch.setattr("portal.vault.records.keys.unwrap", counting_unwrap)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        followup.read_thread(receipt)
    return len(queries), len(unwraps), AuditEvent.objects.count() - before


def test_it_does_the_same_work_for_a_wrong_receipt_as_for_a_right_one(submitted, monkeypatch):
    # Timing is not asserted (no timing thresholds in tests); the work that makes it is.
    _tip, receipt = submitted

    right = _work(receipt, monkeypatch)
    wrong = _work(tipster.new_receipt(), monkeypatch)

    assert right == wrong
    assert right[1] >= 1  # at least one HPKE decapsulation on both paths


def test_it_lets_the_tipster_add_information_readable_by_both_sides(submitted, desk_reader):
    tip, receipt = submitted

    response = Client().post(
        "/api/v1/follow-up/messages/",
        {"receipt": receipt, "body": "The van came back tonight."},
        "application/json",
    )

    assert response.status_code == 201
    message = Message.objects.get(tip=tip)
    assert message.sender == "tipster" and message.author is None
    by_desk = vault.decrypt_record(message.vault_record, {"body": bytes(message.body)}, desk_reader)
    assert by_desk["body"] == b"The van came back tonight."
    thread = followup.read_thread(receipt)
    assert [m.body for m in thread.messages] == ["The van came back tonight."]
    assert AuditEvent.objects.filter(action=Action.TIPSTER_MESSAGE_ADDED).count() == 1


def test_it_refuses_to_add_to_a_tip_with_a_wrong_receipt(submitted):
    response = Client().post(
        "/api/v1/follow-up/messages/",
        {"receipt": tipster.new_receipt(), "body": "hello"},
        "application/json",
    )

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_it_keeps_another_tips_thread_out_of_reach(submitted):
    tip, _receipt = submitted
    investigator_says(tip, "secret question")
    other = actions.do_submit_tip(submission())

    thread = followup.read_thread(other.receipt)

    assert thread.messages == []


def test_the_web_page_shows_the_thread_and_takes_a_reply(submitted):
    tip, receipt = submitted
    investigator_says(tip, "Can you describe the driver?")
    client = Client()

    page = client.post("/follow-up/", {"receipt": receipt})
    assert page.status_code == 200
    assert "Can you describe the driver?" in page.content.decode()
    assert "Received" in page.content.decode()

    reply = client.post("/follow-up/reply/", {"receipt": receipt, "body": "Bald, about 50."})
    # Post/redirect/get: the reply is stored, and the page after it is a plain GET.
    assert (reply.status_code, reply["Location"]) == (303, "/follow-up/?added=1")
    for _reload in range(2):
        landed = client.get(reply["Location"])
        assert "Your information was added" in landed.content.decode()
        assert receipt not in landed.content.decode()
    again = client.post("/follow-up/", {"receipt": receipt}).content.decode()
    assert again.count("Bald, about 50.") == 1
    assert Message.objects.filter(tip=tip, sender=Message.Sender.TIPSTER).count() == 1


def test_each_tipster_status_is_explained_and_a_closed_report_takes_no_reply(submitted):
    tip, receipt = submitted
    client = Client()
    explained = {
        Status.NEW: "waiting for an investigator",
        Status.IN_REVIEW: "An investigator is working with your report",
        Status.CLOSED: "finished with this report",
    }
    for status, words in explained.items():
        reason = "resolved" if status == Status.CLOSED else ""
        Tip.objects.filter(pk=tip.pk).update(status=status, close_reason=reason)
        page = client.post("/follow-up/", {"receipt": receipt}).content.decode()
        assert words in page
        assert ('name="body"' in page) is (status != Status.CLOSED)


def test_the_web_page_says_when_no_report_matches(submitted):
    page = Client().post("/follow-up/", {"receipt": tipster.new_receipt()})

    assert page.status_code == 404
    assert "No report matches this code" in page.content.decode()


def test_the_web_page_keeps_an_empty_reply_from_being_sent(submitted):
    _tip, receipt = submitted

    reply = Client().post("/follow-up/reply/", {"receipt": receipt, "body": ""})

    assert reply.status_code == 400
    assert not Message.objects.exists()
