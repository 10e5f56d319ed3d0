"""`/api/v1/triage/tips/{id}/handoffs/`: the task force creates and lists a tip's handoffs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit import Action
from handoffs.models import Handoff
from tests.factories import SAFE_CONTACT, SUMMARY
from tests.readers import events
from tests.staff import sign_in
from tips.models import Status as TipStatus
from tips.models import Tip


def _body(**overrides):
    body = {
        "organization": "org-a",
        "services": ["shelter", "counseling"],
        "summary": SUMMARY,
        "contact": SAFE_CONTACT,
        "consent": {
            "given": True,
            "method": "written",
            "scope": ["contact"],
            "expires_at": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def api(investigator, org_a):
    return sign_in(Client(), investigator)


def _post(api, tip, body):
    return api.post(f"/api/v1/triage/tips/{tip.code}/handoffs/", body, "application/json")


def test_it_creates_a_handoff_with_consent(api, investigating):
    response = _post(api, investigating, _body())

    assert response.status_code == 201
    body = response.json()
    handoff = Handoff.objects.get(code=body["id"])
    assert (body["organization"], body["status"]) == ("org-a", "pending")
    assert body["services"] == ["counseling", "shelter"]
    assert body["consent"]["method"] == "written" and body["consent"]["active"] is True
    assert SUMMARY not in response.text and SAFE_CONTACT not in response.text
    assert handoff.identity is not None and handoff.consent.scope == ["contact"]
    assert len(events(Action.HANDOFF_CREATED, handoff)) == 1
    assert Tip.objects.get(pk=investigating.pk).status == TipStatus.HANDED_OFF


def test_it_creates_an_anonymous_request(api, tip):
    response = _post(api, tip, _body(contact="", consent={"given": False}))

    assert response.status_code == 201
    assert response.json()["consent"] is None
    assert Handoff.objects.get(code=response.json()["id"]).identity is None


def test_it_lists_the_tips_handoffs(api, tip, hand_off, org_a):
    handoff = hand_off(org_a)

    response = api.get(f"/api/v1/triage/tips/{tip.code}/handoffs/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["status"], row["outcome"]) == (str(handoff.code), "pending", None)
    assert SUMMARY not in response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organization": "nowhere"}, "organization"),
        ({"services": []}, "services"),
        ({"summary": ""}, "summary"),
        ({"consent": {"given": True, "method": "verbal"}}, "consent"),
        ({"consent": {"given": True, "method": "verbal", "scope": ["shoe_size"]}}, "consent"),
    ],
)
def test_it_rejects_a_malformed_body(api, tip, overrides, field):
    response = _post(api, tip, _body(**overrides))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Handoff.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": {"given": False}}, "anonymous service request"),
        ({"services": ["legal"]}, "does not offer"),
        ({"consent": {**_body()["consent"], "expires_at": "2020-01-01"}}, "future date"),
        ({"name": "Maria"}, "did not agree to share: name"),
    ],
)
def test_it_rejects_what_the_action_refuses(api, tip, overrides, message):
    response = _post(api, tip, _body(**overrides))

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "invalid" and message in error["message"]
    assert not Handoff.objects.exists()
