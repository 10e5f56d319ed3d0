import pytest
from django.test import Client
from django.utils import timezone

from audit.events import Action
from audit.models import AuditEvent
from tests.staff import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def fail_password(client: Client, username: str) -> None:
    client.post("/staff/login/", {"username": username, "password": "definitely wrong"})


def test_it_locks_the_account_after_repeated_failures(
    client: Client, investigator, settings
) -> None:
    for _ in range(settings.LOCKOUT_FAILURES):
        fail_password(client, investigator.username)
    response = client.post(
        "/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 400
    assert "Too many failed attempts" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_LOCKED).count() == 1


def test_it_counts_second_factor_failures_too(client: Client, investigator, settings) -> None:
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    for _ in range(settings.LOCKOUT_FAILURES):
        client.post("/staff/login/verify/", {"otp_token": "123456"})
    response = client.post("/staff/login/verify/", {"otp_token": totp_now(investigator)})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_it_locks_by_username_not_by_address(investigator, settings) -> None:
    for _ in range(settings.LOCKOUT_FAILURES):
        fail_password(Client(REMOTE_ADDR="10.0.0.1"), investigator.username)
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    response = other_address.post(
        "/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD}
    )
    assert "Too many failed attempts" in response.content.decode()


def test_it_treats_unknown_usernames_alike(client: Client, settings) -> None:
    for _ in range(settings.LOCKOUT_FAILURES):
        fail_password(client, "no-such-person")
    response = client.post("/staff/login/", {"username": "no-such-person", "password": "x" * 14})
    assert "Too many failed attempts" in response.content.decode()


def test_it_unlocks_after_the_period(client: Client, investigator, settings, time_machine) -> None:
    time_machine.move_to(timezone.now())
    for _ in range(settings.LOCKOUT_FAILURES):
        fail_password(client, investigator.username)
    time_machine.shift(settings.LOCKOUT_PERIOD + 1)
    response = client.post(
        "/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302
