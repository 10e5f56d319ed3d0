import pytest
from django.test import Client
from django.utils import timezone

from audit.events import Action
from audit.models import AuditEvent
from portal.accounts.models import ApiToken
from tests.staff import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def api_login(client: Client, user, otp: str | None = None, password: str = STAFF_PASSWORD):
    return client.post(
        "/api/v1/auth/login/",
        {"username": user.username, "password": password, "otp_token": otp or totp_now(user)},
        content_type="application/json",
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_issues_a_token_that_unlocks_the_vault(client: Client, investigator) -> None:
    response = api_login(client, investigator)
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/auth/me/", **bearer(token))
    assert me.status_code == 200
    assert me.json()["vault_unlocked"] is True
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED).count() == 1


def test_it_stores_no_token_secret(client: Client, investigator) -> None:
    token = api_login(client, investigator).json()["token"]
    secret = token.split(".", 1)[1]
    row = ApiToken.objects.get()
    assert secret not in row.secret_hash
    assert secret.encode() not in bytes(row.sealed_vault)


def test_it_gives_no_token_without_the_second_factor(client: Client, investigator) -> None:
    response = api_login(client, investigator, otp="000000")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not ApiToken.objects.exists()


def test_it_gives_the_same_answer_for_a_wrong_password(client: Client, investigator) -> None:
    wrong = api_login(client, investigator, password="not the password")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "The sign-in details are not correct."


def test_it_validates_the_request(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/login/", {"username": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"password", "otp_token"}


def test_it_answers_429_when_locked(client: Client, investigator, settings) -> None:
    for _ in range(settings.LOCKOUT_FAILURES):
        api_login(client, investigator, password="wrong wrong wrong")
    assert api_login(client, investigator).status_code == 429


def test_it_revokes_the_token_at_logout(client: Client, investigator) -> None:
    token = api_login(client, investigator).json()["token"]
    assert Client().post("/api/v1/auth/logout/", **bearer(token)).status_code == 204
    assert Client().get("/api/v1/auth/me/", **bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).count() == 1


def test_it_refuses_an_expired_token(client: Client, investigator, time_machine, settings) -> None:
    time_machine.move_to(timezone.now())
    token = api_login(client, investigator).json()["token"]
    time_machine.shift(settings.API_TOKEN_LIFETIME + 1)
    assert Client().get("/api/v1/auth/me/", **bearer(token)).status_code == 401


def test_it_refuses_a_tampered_token(client: Client, investigator) -> None:
    token = api_login(client, investigator).json()["token"]
    prefix, secret = token.split(".", 1)
    forged = f"{prefix}.{secret[:-2]}AA"
    response = Client().get("/api/v1/auth/me/", **bearer(forged))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
