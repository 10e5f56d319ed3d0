"""Supervisors keep the on-call rota and alert addresses on a page of their own."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from tests.readers import fresh
from tests.staff import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(supervisor):
    client = Client()
    login_verified(client, supervisor)
    return client


def test_a_supervisor_puts_an_investigator_on_call_with_an_address(boss, investigator):
    page = boss.get("/staff/on-call/").content.decode()
    assert investigator.username in page

    response = boss.post(
        "/staff/on-call/",
        {"username": investigator.username, "on_call": "1", "email": "ivy@taskforce.example"},
    )

    assert response.status_code == 302
    member = fresh(investigator)
    assert (member.on_call, member.email) == (True, "ivy@taskforce.example")
    from audit.models import AuditEvent

    [event] = AuditEvent.objects.filter(action=Action.ACCOUNT_UPDATED)
    assert event.details["on_call"] is True and "ivy@" not in str(event.details)


def test_on_call_needs_a_valid_address(boss, investigator):
    investigator.email = ""
    investigator.save(update_fields=["email"])
    boss.post("/staff/on-call/", {"username": investigator.username, "on_call": "1"})
    boss.post(
        "/staff/on-call/",
        {"username": investigator.username, "on_call": "1", "email": "not an address"},
    )

    assert fresh(investigator).on_call is False


def test_investigators_cannot_keep_the_rota(investigator):
    client = Client()
    login_verified(client, investigator)

    assert client.get("/staff/on-call/").status_code == 403
