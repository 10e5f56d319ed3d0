import pytest
from django.test import Client

from portal import vault
from tests.staff import STAFF_PASSWORD, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def triage(supervisor, enlist):
    """An initialised vault whose triage desk the supervisor holds."""
    enlist(supervisor)
    return vault.triage_desk()


def test_it_grants_the_triage_desk_from_the_supervisor_session(
    triage, supervisor, investigator
) -> None:
    client = sign_in(Client(), supervisor)
    assert "ivy-investigator" in client.get("/staff/desks/").content.decode()
    response = client.post("/staff/desks/triage/grant/", {"username": investigator.username})
    assert response.status_code == 302
    assert vault.unlock(investigator, STAFF_PASSWORD).has_desk(triage)


def test_it_refuses_to_give_the_triage_desk_to_a_liaison(triage, supervisor, liaison_a) -> None:
    client = sign_in(Client(), supervisor)
    client.post("/staff/desks/triage/grant/", {"username": liaison_a.username})
    assert not vault.holds_desk(liaison_a, triage)


def test_it_revokes_a_grant(triage, supervisor, investigator) -> None:
    client = sign_in(Client(), supervisor)
    client.post("/staff/desks/triage/grant/", {"username": investigator.username})
    client.post(f"/staff/desks/triage/revoke/{investigator.username}/")
    assert not vault.holds_desk(investigator, triage)


def test_it_cannot_grant_a_desk_the_supervisor_lacks(supervisor, investigator) -> None:
    vault.initialize()
    client = sign_in(Client(), supervisor)
    client.post("/staff/desks/triage/grant/", {"username": investigator.username})
    assert not vault.holds_desk(investigator, vault.triage_desk())
