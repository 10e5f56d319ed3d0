import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.events import Action
from audit.models import AuditEvent
from portal.accounts import actions
from portal.accounts.models import ApiToken
from portal.models import User
from tests.staff import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_disables_an_account_and_ends_its_sessions_and_tokens(
    staff_client, admin_user, investigator
) -> None:
    investigator_client = staff_client(investigator)
    token = (
        Client()
        .post(
            "/api/v1/auth/login/",
            {
                "username": investigator.username,
                "password": STAFF_PASSWORD,
                "otp_token": actions.do_issue_backup_codes(investigator)[0],
            },
            content_type="application/json",
        )
        .json()["token"]
    )
    admin = staff_client(admin_user)
    sessions_before = Session.objects.count()
    response = admin.post(f"/staff/accounts/{investigator.username}/disable/")
    assert response.status_code == 302

    assert investigator_client.get("/staff/").status_code == 302
    me = Client().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 401
    assert Session.objects.count() == sessions_before - 1
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_DISABLED).count() == 1


def test_it_invites_a_staff_member_with_a_one_time_link(staff_client, admin_user) -> None:
    admin = staff_client(admin_user)
    response = admin.post(
        "/staff/accounts/",
        {"username": "new-person", "email": "new@example.org", "role": "investigator"},
    )
    assert response.status_code == 200
    link = re.search(r"(/staff/invitation/[^<\s]+/)", response.content.decode()).group(1)
    invited = Client()
    assert invited.get(link).status_code == 200
    accepted = invited.post(link, {"password": STAFF_PASSWORD, "password_again": STAFF_PASSWORD})
    assert accepted.status_code == 302
    assert invited.get(link).status_code == 404  # one time only
    user = User.objects.get(username="new-person")
    assert user.is_active and user.check_password(STAFF_PASSWORD)
    # First sign-in goes to authenticator enrollment.
    step = invited.post("/staff/login/", {"username": "new-person", "password": STAFF_PASSWORD})
    assert step["Location"] == "/staff/login/enroll/"


def test_it_keeps_the_invitation_form_input_on_error(staff_client, admin_user) -> None:
    admin = staff_client(admin_user)
    response = admin.post(
        "/staff/accounts/", {"username": "lia-new", "email": "l@example.org", "role": "liaison"}
    )
    assert response.status_code == 400
    assert 'value="lia-new"' in response.content.decode()


def test_it_refuses_a_weak_password_on_invitation(staff_client, admin_user) -> None:
    admin = staff_client(admin_user)
    response = admin.post(
        "/staff/accounts/",
        {"username": "weak-person", "email": "w@example.org", "role": "investigator"},
    )
    link = re.search(r"(/staff/invitation/[^<\s]+/)", response.content.decode()).group(1)
    refused = Client().post(link, {"password": "short", "password_again": "short"})
    assert refused.status_code == 400
    assert not User.objects.get(username="weak-person").is_active


def test_it_shows_no_accounts_page_to_other_roles(staff_client, supervisor) -> None:
    assert staff_client(supervisor).get("/staff/accounts/").status_code == 403
