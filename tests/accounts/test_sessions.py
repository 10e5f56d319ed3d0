import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_signs_out_after_the_idle_timeout(staff_client, investigator, time_machine, settings):
    time_machine.move_to(timezone.now())
    client = staff_client(investigator)
    time_machine.shift(settings.SESSION_IDLE_TIMEOUT - 5)
    assert client.get("/staff/").status_code == 200
    time_machine.shift(settings.SESSION_IDLE_TIMEOUT + 1)
    assert client.get("/staff/").status_code == 302


def test_it_signs_out_after_the_absolute_lifetime(
    staff_client, investigator, time_machine, settings
) -> None:
    time_machine.move_to(timezone.now())
    client = staff_client(investigator)
    elapsed = 0
    while elapsed <= settings.SESSION_COOKIE_AGE:
        time_machine.shift(settings.SESSION_IDLE_TIMEOUT - 60)
        elapsed += settings.SESSION_IDLE_TIMEOUT - 60
        response = client.get("/staff/")
    assert response.status_code == 302


def test_it_sets_strict_http_only_cookies(client, investigator) -> None:
    from tests.staff import sign_in

    sign_in(client, investigator)
    from django.conf import settings

    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Strict"
    vault_cookie = client.cookies[settings.VAULT_COOKIE_NAME]
    assert vault_cookie["httponly"]
    assert vault_cookie["samesite"] == "Strict"


def test_it_hashes_passwords_with_argon2_in_production() -> None:
    from portal import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    validators = {
        v["NAME"].rsplit(".", 1)[1]: v for v in production_settings.AUTH_PASSWORD_VALIDATORS
    }
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
