import pytest
from django.test import Client

from audit.events import Action
from audit.models import AuditEvent
from portal.accounts.models import StaffSession
from tests.staff import STAFF_PASSWORD, sign_in, totp_now

pytestmark = pytest.mark.django_db


def test_it_asks_for_the_second_factor_before_signing_in(client: Client, investigator) -> None:
    response = client.post(
        "/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/verify/"
    # Password alone: not signed in, nothing staff-only reachable.
    assert client.get("/staff/").status_code == 302


def test_it_signs_in_with_password_and_totp_and_unlocks_the_vault(
    client: Client, investigator
) -> None:
    sign_in(client, investigator)
    assert client.get("/staff/").status_code == 200
    me = client.get("/api/v1/auth/me/").json()
    assert me["username"] == investigator.username
    assert me["vault_unlocked"] is True
    assert StaffSession.objects.filter(user=investigator).count() == 1
    assert AuditEvent.objects.filter(action=Action.LOGIN_SUCCEEDED).count() == 1


def test_it_rotates_the_session_key_at_sign_in(client: Client, investigator) -> None:
    client.get("/staff/login/")
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    before = client.session.session_key
    client.post("/staff/login/verify/", {"otp_token": totp_now(investigator)})
    assert client.session.session_key != before


def test_it_refuses_a_replayed_totp_code(investigator) -> None:
    first, second = Client(), Client()
    code = totp_now(investigator)
    for c in (first, second):
        c.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    assert first.post("/staff/login/verify/", {"otp_token": code}).status_code == 302
    response = second.post("/staff/login/verify/", {"otp_token": code})
    assert response.status_code == 400
    assert second.get("/staff/").status_code == 302


def test_it_gives_the_same_message_for_every_failure(client: Client, investigator) -> None:
    wrong_password = client.post(
        "/staff/login/", {"username": investigator.username, "password": "nope nope nope"}
    )
    unknown_user = client.post("/staff/login/", {"username": "nobody", "password": "x" * 14})
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    wrong_code = client.post("/staff/login/verify/", {"otp_token": "000000"})
    message = "The sign-in details are not correct."
    for response in (wrong_password, unknown_user, wrong_code):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 3


def test_it_keeps_the_username_after_a_failed_attempt(client: Client, investigator) -> None:
    response = client.post(
        "/staff/login/", {"username": investigator.username, "password": "wrong password!"}
    )
    assert f'value="{investigator.username}"' in response.content.decode()


def test_it_forgets_an_abandoned_password_step(client: Client) -> None:
    assert client.get("/staff/login/verify/").status_code == 302


def test_it_signs_out_and_destroys_the_unlocked_key(client: Client, investigator) -> None:
    sign_in(client, investigator)
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGGED_OUT).count() == 1


def test_it_rejects_sign_out_by_get(client: Client, investigator) -> None:
    sign_in(client, investigator)
    assert client.get("/staff/logout/").status_code == 405


def test_it_keeps_the_vault_locked_until_the_second_factor(client: Client, investigator) -> None:
    from django.conf import settings

    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    assert "vault_sealed" not in client.session
    assert settings.VAULT_COOKIE_NAME not in client.cookies
    client.post("/staff/login/verify/", {"otp_token": totp_now(investigator)})
    assert "vault_sealed" in client.session
    assert client.cookies[settings.VAULT_COOKIE_NAME].value
