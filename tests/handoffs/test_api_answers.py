"""`/api/v1/handoffs/`: the liaison's inbox, the handoff, and its answers."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from handoffs.models import Status
from tests.factories import SAFE_CONTACT, SUMMARY
from tests.readers import events, fresh
from tests.staff import sign_in

API = "/api/v1/handoffs/"


@pytest.fixture
def handoff(hand_off, org_a):
    return hand_off(org_a, with_consent=True, services=("shelter", "housing"))


def _post(client, handoff, action, body=None):
    return client.post(f"{API}{handoff.code}/{action}/", body or {}, "application/json")


def test_it_lists_the_organizations_handoffs(handoff, lia):
    [row] = lia.get(API).json()["results"]

    assert (row["id"], row["status"], row["services"]) == (
        str(handoff.code),
        "pending",
        ["housing", "shelter"],
    )


def test_it_opens_the_handoff_for_the_liaison(handoff, lia, liaison_a):
    body = lia.get(f"{API}{handoff.code}/").json()

    assert (body["summary"], body["identity"]) == (SUMMARY, {"contact": SAFE_CONTACT})
    assert body["identity_withdrawn"] is False and body["notes"] == []
    assert events(Action.HANDOFF_VIEWED, handoff)[0].actor == str(liaison_a.pk)


def test_it_accepts_then_closes_with_an_outcome(handoff, lia, investigator):
    assert _post(lia, handoff, "accept").json()["status"] == "accepted"
    assert _post(lia, handoff, "accept").status_code == 200  # idempotent
    attempt = _post(lia, handoff, "contact-attempts", {"method": "text", "note": "No answer"})
    assert attempt.status_code == 201

    response = _post(lia, handoff, "outcome", {"outcome": "contacted", "note": "Met her"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("closed", "contacted")
    assert [n["body"] for n in lia.get(f"{API}{handoff.code}/").json()["notes"]] == [
        "No answer",
        "Met her",
    ]
    seen = sign_in(Client(), investigator).get(f"{API}{handoff.code}/").json()
    assert (seen["outcome"], seen["notes"]) == ("contacted", [])
    assert "Met her" not in str(seen)


def test_it_declines_with_a_reason(handoff, lia, investigator):
    response = _post(lia, handoff, "decline", {"reason": "No beds until Friday"})

    assert response.status_code == 200 and response.json()["status"] == "declined"
    seen = sign_in(Client(), investigator).get(f"{API}{handoff.code}/").json()
    assert seen["decline_reason"] == "No beds until Friday"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("decline", {}, "reason"),
        ("decline", {"reason": ""}, "reason"),
        ("outcome", {"outcome": "rescued"}, "outcome"),
        ("contact-attempts", {"method": "pigeon"}, "method"),
    ],
)
def test_it_rejects_a_malformed_body(handoff, lia, action, body, field):
    response = _post(lia, handoff, action, body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert fresh(handoff).status == Status.PENDING


def test_it_requires_the_services_provided(handoff, lia):
    _post(lia, handoff, "accept")

    response = _post(lia, handoff, "outcome", {"outcome": "services_provided"})

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "which services" in fields["services_provided"][0]


@pytest.mark.parametrize(
    ("first", "then"),
    [("accept", "decline"), ("decline", "accept"), (None, "outcome"), (None, "contact-attempts")],
)
def test_it_answers_409_in_the_wrong_state(handoff, lia, first, then):
    if first:
        _post(lia, handoff, first, {"reason": "Full"})
    body = {"reason": "Full", "outcome": "contacted", "method": "phone"}

    response = _post(lia, handoff, then, body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_it_revokes_consent(handoff, lia):
    assert _post(lia, handoff, "revoke-consent").status_code == 200

    body = lia.get(f"{API}{handoff.code}/").json()
    assert (body["identity"], body["identity_withdrawn"]) == ({}, True)
    assert body["consent"]["active"] is False


def test_the_task_force_may_not_answer(handoff, investigator):
    response = _post(sign_in(Client(), investigator), handoff, "accept")

    assert response.status_code == 403
    assert fresh(handoff).status == Status.PENDING
