"""Another organization's handoffs do not exist for a liaison (404, on pages and in the API);
liaisons never reach triage or the audit log; admins run the system but read no handoff."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from handoffs.models import Status
from tests.factories import SUMMARY
from tests.readers import events, fresh
from tests.staff import sign_in

ACTIONS = ("accept", "decline", "contact-attempts", "outcome", "notes", "revoke-consent")
API_ACTIONS = ("accept", "decline", "contact-attempts", "outcome", "revoke-consent")


@pytest.fixture
def lee(liaison_b, org_b):
    return sign_in(Client(), liaison_b)


def test_it_hides_the_handoff_page_from_another_organization(handoff, lee):
    assert lee.get(f"/handoffs/{handoff.code}/").status_code == 404
    assert events(Action.HANDOFF_VIEWED) == []


@pytest.mark.parametrize("action", ACTIONS)
def test_it_hides_every_action_from_another_organization(handoff, lee, action):
    body = {"reason": "no", "method": "phone", "outcome": "contacted", "note": "x"}

    assert lee.post(f"/handoffs/{handoff.code}/{action}/", body).status_code == 404
    assert fresh(handoff).status == Status.PENDING
    assert fresh(handoff).consent.revoked_at is None


def test_it_hides_the_api_detail_from_another_organization(handoff, lee):
    response = lee.get(f"/api/v1/handoffs/{handoff.code}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("action", API_ACTIONS)
def test_it_hides_every_api_action_from_another_organization(handoff, lee, action):
    body = {"reason": "no", "method": "phone", "outcome": "contacted"}

    response = lee.post(f"/api/v1/handoffs/{handoff.code}/{action}/", body, "application/json")

    assert response.status_code == 404
    assert fresh(handoff).status == Status.PENDING
    assert fresh(handoff).consent.revoked_at is None


def test_the_lists_show_only_the_own_organization(handoff, hand_off, org_b, lee):
    own = hand_off(org_b, summary="Needs counseling")

    page = lee.get("/handoffs/")
    assert page.status_code == 200
    assert f"/handoffs/{own.code}/" in page.text
    assert str(handoff.code) not in page.text
    api = lee.get("/api/v1/handoffs/").json()["results"]
    assert [row["id"] for row in api] == [str(own.code)]


@pytest.mark.parametrize(
    "url",
    [
        "/triage/",
        "/triage/tips/{tip}/",
        "/api/v1/triage/tips/",
        "/api/v1/triage/tips/{tip}/",
        "/api/v1/triage/tips/{tip}/handoffs/",
        # Their organization's handoff statistics they may see (tests/stats/); tip statistics
        # never.
        "/triage/statistics/",
        "/triage/statistics/export.csv",
        "/audit/",
        "/api/v1/audit/events/",
    ],
)
def test_a_liaison_never_reaches_triage_or_the_audit_log(handoff, tip, liaison_a, url):
    client = sign_in(Client(), liaison_a)

    assert client.get(url.format(tip=tip.code)).status_code == 403


def test_a_liaison_cannot_hand_off(tip, liaison_a, org_a):
    client = sign_in(Client(), liaison_a)
    body = {"organization": "org-a", "services": ["shelter"], "summary": SUMMARY,
            "consent": {"given": False}}  # fmt: skip

    response = client.post(f"/api/v1/triage/tips/{tip.code}/handoffs/", body, "application/json")

    assert response.status_code == 403
    assert client.get(f"/handoffs/new/{tip.code}/").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/handoffs/", "/handoffs/{code}/", "/handoffs/statistics/", "/api/v1/handoffs/",
     "/api/v1/handoffs/{code}/"],
)  # fmt: skip
def test_an_admin_sees_no_handoff(handoff, admin_user, url):
    client = sign_in(Client(), admin_user)

    response = client.get(url.format(code=handoff.code))

    assert response.status_code == 403
    assert SUMMARY not in response.text
    assert events(Action.HANDOFF_VIEWED) == []
