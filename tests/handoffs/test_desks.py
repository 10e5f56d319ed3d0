"""Which desk a handoff is sealed to: the organization's own, found through `vault.get_desk`
(a desk keeps the slug it was created with), and a clear refusal when there is none."""

from __future__ import annotations

import pytest
from django.test import Client

from handoffs import actions, reading
from handoffs.models import Handoff
from partners.models import Organization
from tests.factories import SUMMARY
from tests.readers import fresh
from tests.staff import sign_in


@pytest.fixture
def deskless(db):
    return Organization.objects.create(slug="no-desk", name="No Desk Yet", services=["shelter"])


def test_it_refuses_an_organization_without_a_desk(hand_off, deskless):
    with pytest.raises(actions.Invalid, match="No Desk Yet has no desk key"):
        hand_off(deskless)

    assert not Handoff.objects.exists()


def test_the_api_answers_400_for_an_organization_without_a_desk(tip, investigator, deskless):
    body = {"organization": "no-desk", "services": ["shelter"], "summary": SUMMARY,
            "consent": {"given": False}}  # fmt: skip
    api = sign_in(Client(), investigator)

    response = api.post(f"/api/v1/triage/tips/{tip.code}/handoffs/", body, "application/json")

    assert response.status_code == 400
    assert "has no desk key" in response.json()["error"]["message"]


def test_the_form_shows_the_refusal_for_an_organization_without_a_desk(tip, investigator, deskless):
    page = sign_in(Client(), investigator)
    form = {"organization": "no-desk", "services": ["shelter"], "summary": SUMMARY,
            "consent_given": "no"}  # fmt: skip

    response = page.post(f"/handoffs/new/{tip.code}/", form)

    assert response.status_code == 400
    assert "has no desk key" in response.text


def test_it_still_seals_to_the_desk_after_the_organization_is_renamed(
    hand_off, org_a, liaison_a, keys
):
    Organization.objects.filter(pk=org_a.pk).update(slug="org-a-renamed")
    renamed = Organization.objects.get(pk=org_a.pk)

    handoff = actions.do_accept(hand_off(renamed), acting_user=liaison_a)
    actions.do_add_note(handoff, "Called her back", acting_user=liaison_a)

    view = reading.open_handoff(fresh(handoff), keys(liaison_a), actor=liaison_a)
    assert view.summary == SUMMARY
    assert [note.body for note in view.notes] == ["Called her back"]
