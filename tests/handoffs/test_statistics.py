"""`/handoffs/statistics/` made through the real actions: counts by organization and status,
service and outcome; no content. (The numbers in full: tests/stats/.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit import Action
from audit.models import AuditEvent
from handoffs import actions
from tests.factories import SUMMARY
from tests.staff import sign_in

URL = "/handoffs/statistics/"


@pytest.fixture
def handoffs(hand_off, org_a, org_b, liaison_a, keys):
    """org-a: one closed with services provided, one declined, one waiting; org-b: one waiting."""
    closed = actions.do_accept(hand_off(org_a, services=("shelter", "counseling")),
                               acting_user=liaison_a)  # fmt: skip
    actions.do_record_outcome(
        closed, "services_provided", services_provided=("shelter",), acting_user=liaison_a
    )
    declined = hand_off(org_a, services=("housing",))
    actions.do_decline(declined, "Full this week", acting_user=liaison_a, unlocked=keys(liaison_a))
    hand_off(org_a)
    hand_off(org_b, services=("counseling",))


def _rows(html: str) -> list[tuple[str, ...]]:
    cells = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return [tuple(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)) for row in cells if "<td>" in row]


def test_it_counts_by_organization_status_service_and_outcome(handoffs, supervisor):
    response = sign_in(Client(), supervisor).get(URL)

    assert response.status_code == 200
    rows = _rows(response.text)
    # Organization, all, then waiting, accepted, declined, closed.
    assert ("Org-A", "3", "1", "0", "1", "1") in rows
    assert ("Org-B", "1", "1", "0", "0", "0") in rows
    # Service, requested, provided.
    assert ("Counseling", "2", "0") in rows
    assert ("Emergency shelter", "2", "1") in rows
    assert ("Housing", "1", "0") in rows
    assert ("Services provided", "1") in rows


def test_it_shows_no_content(handoffs, supervisor):
    text = sign_in(Client(), supervisor).get(URL).text

    for secret in (SUMMARY, "Full this week", "Adult woman"):
        assert secret not in text


def test_it_audits_the_view(handoffs, supervisor):
    sign_in(Client(), supervisor).get(URL)

    [viewed] = AuditEvent.objects.filter(action=Action.STATISTICS_VIEWED)
    assert (viewed.actor, viewed.details["view"]) == (str(supervisor.pk), "handoffs")


def test_it_refuses_investigators(investigator):
    assert sign_in(Client(), investigator).get(URL).status_code == 403


def test_it_rejects_post(supervisor):
    assert sign_in(Client(), supervisor).post(URL).status_code == 405


def test_it_requires_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
