"""The handoff pages: the investigator's form, the liaison's handoff page and its buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit import Action
from handoffs.models import Handoff, Status
from tests.factories import SAFE_CONTACT, SUMMARY
from tests.readers import events, fresh
from tests.staff import sign_in
from tips.models import Status as TipStatus
from tips.models import Tip


def test_the_form_hands_off_with_consent(investigating, investigator, org_a):
    page = sign_in(Client(), investigator)
    url = f"/handoffs/new/{investigating.code}/"
    assert page.get(url).status_code == 200
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    form = {"organization": "org-a", "services": ["shelter"], "summary": SUMMARY,
            "consent_given": "yes", "consent_method": "written", "consent_scope": ["contact"],
            "consent_expires": expires, "contact": SAFE_CONTACT}  # fmt: skip

    response = page.post(url, form)

    assert response.status_code == 302
    assert response["Location"] == f"/triage/tips/{investigating.code}/"
    handoff = Handoff.objects.get(tip=investigating)
    assert handoff.consent.method == "written" and handoff.identity is not None
    assert Tip.objects.get(pk=investigating.pk).status == TipStatus.HANDED_OFF


def test_the_form_shows_the_actions_refusal(tip, investigator, org_a):
    form = {"organization": "org-a", "services": ["shelter"], "summary": SUMMARY,
            "consent_given": "no", "name": "Maria"}  # fmt: skip

    response = sign_in(Client(), investigator).post(f"/handoffs/new/{tip.code}/", form)

    assert response.status_code == 400
    assert "only an anonymous service request" in response.text
    assert not Handoff.objects.exists()


def test_the_liaison_reads_the_handoff(handoff, lia, liaison_a):
    response = lia.get(f"/handoffs/{handoff.code}/")

    assert response.status_code == 200
    assert SUMMARY in response.text and SAFE_CONTACT in response.text
    assert events(Action.HANDOFF_VIEWED, handoff)[0].actor == str(liaison_a.pk)


def test_the_liaison_accepts_and_closes(handoff, lia):
    assert lia.post(f"/handoffs/{handoff.code}/accept/").status_code == 302
    lia.post(f"/handoffs/{handoff.code}/contact-attempts/", {"method": "phone", "note": "Rang"})
    lia.post(
        f"/handoffs/{handoff.code}/outcome/",
        {"outcome": "services_provided", "services_provided": ["shelter"], "note": "Room 4"},
    )

    row = fresh(handoff)
    assert (row.status, row.outcome, row.services_provided) == (
        Status.CLOSED,
        "services_provided",
        ["shelter"],
    )
    assert "Room 4" in lia.get(f"/handoffs/{handoff.code}/").text


def test_the_investigator_never_sees_the_liaisons_note(handoff, lia, investigator):
    lia.post(f"/handoffs/{handoff.code}/notes/", {"note": "Room 4 at the east house"})

    text = sign_in(Client(), investigator).get(f"/handoffs/{handoff.code}/").text

    assert SUMMARY in text and "Room 4" not in text


def test_the_liaison_declines_and_an_error_is_shown(handoff, lia):
    response = lia.post(f"/handoffs/{handoff.code}/decline/", {"reason": ""}, follow=True)

    assert "Say why" in response.text and fresh(handoff).status == Status.PENDING
    lia.post(f"/handoffs/{handoff.code}/decline/", {"reason": "Full this week"})
    assert fresh(handoff).status == Status.DECLINED


def test_the_liaison_records_a_withdrawal(handoff, lia):
    lia.post(f"/handoffs/{handoff.code}/revoke-consent/")

    text = lia.get(f"/handoffs/{handoff.code}/").text
    assert SAFE_CONTACT not in text and "Consent was withdrawn" in text


@pytest.mark.parametrize("action", ["accept", "decline", "outcome", "notes", "revoke-consent"])
def test_the_actions_reject_get(handoff, lia, action):
    assert lia.get(f"/handoffs/{handoff.code}/{action}/").status_code == 405


@pytest.mark.parametrize("path", ["", "{code}/", "{code}/accept/"])
def test_the_pages_require_sign_in(handoff, client, path):
    response = client.post(f"/handoffs/{path.format(code=handoff.code)}")

    assert response.status_code == 302
    assert fresh(handoff).status == Status.PENDING
