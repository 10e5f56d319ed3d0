"""Regressions for races and edge cases in sign-in and account changes."""

import re

import pytest
from django.test import Client

from portal.accounts import actions, lockout
from portal.accounts.models import ApiToken, TOTPDevice
from tests.staff import STAFF_PASSWORD, sign_in, totp_now

pytestmark = pytest.mark.django_db


def test_it_keeps_a_used_code_used_when_a_stale_copy_fails(investigator) -> None:
    accepting = TOTPDevice.objects.get(user=investigator)
    stale = TOTPDevice.objects.get(user=investigator)
    code = totp_now(investigator)
    assert accepting.verify_token(code)
    assert not stale.verify_token("000000")  # a failure must not write back the old last_t
    fresh = TOTPDevice.objects.get(user=investigator)
    fresh.throttle_reset()
    assert not fresh.verify_token(code)


def test_it_refuses_the_same_code_from_two_stale_copies(investigator) -> None:
    first = TOTPDevice.objects.get(user=investigator)
    second = TOTPDevice.objects.get(user=investigator)
    code = totp_now(investigator)
    assert first.verify_token(code)
    assert not second.verify_token(code)


def test_it_counts_attempts_before_checking_them(investigator, settings) -> None:
    # Attempts in flight at once: each is reserved before the slow check runs.
    reserved = [lockout.reserve(investigator.username) for _ in range(settings.LOCKOUT_FAILURES)]
    assert all(reserved)
    assert lockout.reserve(investigator.username) is None


def test_it_keeps_the_admin_password_page_on_the_staff_side(staff_client, admin_user) -> None:
    response = staff_client(admin_user).get("/django-admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/password/"


def test_it_ends_other_sessions_and_tokens_but_keeps_this_one_on_password_change(
    investigator,
) -> None:
    other = sign_in(Client(), investigator)
    token_code = actions.do_issue_backup_codes(investigator)[0]
    Client().post(
        "/api/v1/auth/login/",
        {"username": investigator.username, "password": STAFF_PASSWORD, "otp_token": token_code},
        content_type="application/json",
    )
    this = Client()
    this.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    this.post("/staff/login/verify/", {"otp_token": actions.do_issue_backup_codes(investigator)[0]})
    response = this.post(
        "/staff/password/",
        {"old_password": STAFF_PASSWORD, "new_password": "another long password 3"},
    )
    assert response.status_code == 302
    assert this.get("/staff/").status_code == 200
    assert this.get("/api/v1/auth/me/").json()["vault_unlocked"] is True
    assert other.get("/staff/").status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_it_closes_the_invitation_of_a_disabled_invitee(staff_client, admin_user) -> None:
    admin = staff_client(admin_user)
    response = admin.post(
        "/staff/accounts/",
        {"username": "invitee", "email": "i@example.org", "role": "investigator"},
    )
    link = re.search(r"(/staff/invitation/[^<\s]+/)", response.content.decode()).group(1)
    admin.post("/staff/accounts/invitee/disable/")
    assert Client().get(link).status_code == 404


def test_it_sends_an_enrollment_without_its_cookie_back_to_sign_in(investigator) -> None:
    actions.do_reset_two_factor(investigator, acting_user=investigator)
    client = Client()
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    client.get("/staff/login/enroll/")
    del client.cookies["vault-pending"]
    response = client.post("/staff/login/enroll/", {"otp_token": totp_now(investigator)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.get(user=investigator).confirmed


def test_it_survives_a_garbled_pending_cookie(investigator) -> None:
    client = Client()
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    client.cookies["vault-pending"] = "%%%not-base64%%%"
    response = client.post("/staff/login/verify/", {"otp_token": totp_now(investigator)})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/"
