"""Steps shared by the browser tests (Playwright, Debian's chromium)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.staff import STAFF_PASSWORD, totp_now


def sign_in_page(page: Page, live_server, user) -> None:
    """Sign in through the staff login page with both factors, as a person would."""
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/staff/login/verify/")
    page.get_by_label("Code from your authenticator app").fill(totp_now(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.get_by_role("navigation", name="Staff")).to_contain_text(user.username)


def expect_success(page: Page, text: str) -> None:
    """The page shows `text` as a success message and no error."""
    expect(page.locator("ul.messages li.success")).to_contain_text(text)
    expect(page.locator("ul.messages li.error")).to_have_count(0)
