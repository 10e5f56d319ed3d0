"""The idle sign-out in Debian's chromium: idle past the timeout, type a note, send it, sign in
again, and the note is back in its box on the tip page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.accounts import actions as account_actions
from tests.browsing import sign_in_page
from tests.staff import STAFF_PASSWORD
from triage.models import Note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Drove past at 9pm: the van with the MO plate was parked behind the spa."

Opener = Callable[..., Page]


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


def _idle_past_the_timeout(page: Page) -> None:
    """What fifteen idle minutes do to the server-side session, without waiting for them."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session["last_seen"] = timezone.now().timestamp() - settings.SESSION_IDLE_TIMEOUT - 60
    session.save()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_note_typed_after_the_idle_sign_out_is_not_lost(
    open_tab: Opener, live_server, investigator, submit, width
) -> None:
    tip, _ = submit()
    page = open_tab(width, 800)
    sign_in_page(page, live_server, investigator)
    backup_code = account_actions.do_issue_backup_codes(investigator)[0]
    tip_url = f"{live_server.url}/triage/tips/{tip.code}/"
    page.goto(tip_url)
    expect(page.locator("#session-timer")).to_be_hidden()

    _idle_past_the_timeout(page)
    page.locator("#note-body").fill(NOTE)
    page.get_by_role("button", name="Add note").click()

    expect(page).to_have_url(
        f"{live_server.url}/staff/login/?next=%2Ftriage%2Ftips%2F{tip.code}%2F&ended=1"
    )
    expect(page.locator("#session-ended")).to_be_visible()
    page.get_by_label("Username").fill(investigator.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    # The authenticator's code was used a moment ago and is not accepted twice: a backup code.
    page.get_by_label("Code from your authenticator app").fill(backup_code)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(tip_url)  # the page the form was on, not the POST-only URL
    expect(page.locator("#note-body")).to_have_value(NOTE)
    expect(page.locator("#drafts-restored")).to_be_visible()
    assert Note.objects.count() == 0  # not saved, and not lost: still in the box

    page.get_by_role("button", name="Add note").click()
    expect(page.locator("ul.notes")).to_contain_text(NOTE)
    expect(page.locator("#note-body")).to_have_value("")
    assert Note.objects.count() == 1
