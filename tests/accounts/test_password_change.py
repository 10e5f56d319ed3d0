import pytest
from django.test import Client

from audit.events import Action
from audit.models import AuditEvent
from tests.staff import STAFF_PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new long password 2"


def test_it_changes_the_password_and_keeps_the_vault_key(staff_client, investigator) -> None:
    client = staff_client(investigator)
    response = client.post(
        "/staff/password/", {"old_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    investigator.refresh_from_db()
    assert investigator.check_password(NEW_PASSWORD)
    from portal import vault

    assert vault.unlock(investigator, NEW_PASSWORD) is not None
    with pytest.raises(vault.WrongPassword):
        vault.unlock(investigator, STAFF_PASSWORD)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).count() == 1


def test_it_refuses_a_wrong_current_password(staff_client, investigator) -> None:
    client = staff_client(investigator)
    response = client.post(
        "/staff/password/", {"old_password": "not my password", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    investigator.refresh_from_db()
    assert investigator.check_password(STAFF_PASSWORD)


def test_it_signs_in_with_the_new_password(staff_client, investigator) -> None:
    staff_client(investigator).post(
        "/staff/password/", {"old_password": STAFF_PASSWORD, "new_password": NEW_PASSWORD}
    )
    response = Client().post(
        "/staff/login/", {"username": investigator.username, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
