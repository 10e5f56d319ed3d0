"""No staff work is lost at the idle sign-out: a form posted after the session ended leads back
to its page (never to the POST-only URL) with its text, and the frame warns before sign-out."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.staff import sign_in
from triage.models import Note

pytestmark = pytest.mark.django_db

NOTE = "Called the number: it is a nail salon on Rainbow Blvd."


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def expired(investigator, tip, time_machine, settings):
    """A signed-in client on the tip page, then idle past the timeout."""
    time_machine.move_to(timezone.now())
    client = sign_in(Client(), investigator)
    assert client.get(f"/triage/tips/{tip.code}/").status_code == 200
    time_machine.shift(settings.SESSION_IDLE_TIMEOUT + 60)
    return client


def post_note(client, tip):
    page = f"http://testserver/triage/tips/{tip.code}/"
    return client.post(f"/triage/tips/{tip.code}/notes/", {"body": NOTE}, headers={"referer": page})


def test_a_form_posted_after_the_sign_out_leads_back_to_its_page(expired, tip):
    response = post_note(expired, tip)

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/staff/login/?")
    assert f"next=%2Ftriage%2Ftips%2F{tip.code}%2F&" in location  # the page, not …/notes/
    assert "ended=1" in location
    assert Note.objects.count() == 0
    assert "Your session ended" in expired.get(location).content.decode()


def test_without_a_referer_sign_in_leads_home_never_to_the_post_url(expired, tip):
    response = expired.post(f"/triage/tips/{tip.code}/notes/", {"body": NOTE})

    assert "next=%2Fstaff%2F&" in response["Location"]
    assert "notes" not in response["Location"]


def test_sign_in_goes_back_to_the_page_and_the_text_is_there(expired, tip, investigator):
    location = post_note(expired, tip)["Location"]
    expired.post(location, {"username": investigator.username, "password": "wrong"})
    from tests.staff import STAFF_PASSWORD, totp_now

    expired.post(location, {"username": investigator.username, "password": STAFF_PASSWORD})
    response = expired.post("/staff/login/verify/", {"otp_token": totp_now(investigator)})
    assert response["Location"] == f"/triage/tips/{tip.code}/"

    page = expired.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "What you typed before you were signed out" in html
    assert NOTE in html
    assert 'data-restore="1"' in html  # the script puts browser-kept drafts back here
    # Shown once: the cookie is deleted, and the next visit shows nothing kept.
    assert page.cookies["kept-form"].value == ""
    assert NOTE not in expired.get(f"/triage/tips/{tip.code}/").content.decode()


def test_the_kept_text_never_reaches_the_server_s_storage(expired, tip):
    from django.contrib.sessions.models import Session

    post_note(expired, tip)

    assert all(NOTE not in str(s.get_decoded()) for s in Session.objects.all())
    assert expired.cookies["kept-form"]["httponly"]
    assert expired.cookies["kept-form"]["samesite"] == "Strict"
    assert expired.cookies["kept-form"]["path"] == f"/triage/tips/{tip.code}/"


def test_a_forged_kept_cookie_is_ignored(investigator, tip):
    client = sign_in(Client(), investigator)
    client.cookies["kept-form"] = "eyJmaWVsZHMiOnsiYm9keSI6IjxzY3JpcHQ-In19:forged"

    html = client.get(f"/triage/tips/{tip.code}/").content.decode()

    assert "What you typed before you were signed out" not in html


def test_staff_pages_carry_the_idle_warning_and_the_script(investigator, settings):
    client = sign_in(Client(), investigator)

    html = client.get("/triage/").content.decode()

    assert f'data-idle-seconds="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert 'id="stay-signed-in"' in html
    assert "portal/staff.js" in html
    assert 'data-keepalive="/api/v1/auth/me/"' in html
