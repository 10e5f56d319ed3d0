"""The audit page in Debian's chromium, on a phone and on a desk: no sideways scrolling, a page
view's entries opened with the keyboard, no accessibility violation (axe-core)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from audit import Action, record
from tests.audit.viewing import view_tip
from tests.browsing import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries(submit, investigator, supervisor):
    tip = submit()[0]
    record(Action.TIP_CLAIMED, actor=investigator, target=tip, change=12)
    view_tip(tip, investigator)
    record(
        Action.TIP_TRANSITIONED, actor=investigator, target=tip,
        from_status="in_review", to_status="closed", close_reason="insufficient_information",
    )  # fmt: skip
    record(
        Action.AUDIT_VIEWED, actor=supervisor, via="web", page=1,
        filters={"target_type": "tips.tip", "target_id": str(tip.code)},
    )  # fmt: skip
    record(Action.TIP_SUBMITTED, actor=None, unheard_of_detail="x" * 90)
    return tip


def _fits(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} > {width}"


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "desk"])
def test_the_audit_page_reads_on_a_phone_and_a_desk(
    open_tab, live_server, supervisor, entries, size
):
    page = open_tab(*size)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    sign_in_page(page, live_server, supervisor)
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(f"{live_server.url}/audit/")
    expect(
        page.get_by_role("navigation", name="Audit log pages").get_by_role("link", name="Entries")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    _fits(page)

    disclosure = page.locator("details.audit-entries")
    expect(disclosure).to_have_count(1)
    expect(page.locator("tr.audit-view")).to_contain_text(
        f"Opened tip {entries.number}: the tip, 3 notes, 2 tipster messages, 4 related tips"
    )
    expect(disclosure.locator("li").first).not_to_be_visible()
    disclosure.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(disclosure).to_have_attribute("open", "")
    expect(disclosure.locator("li")).to_have_count(4)
    expect(disclosure.locator("li").first).to_be_visible()
    _fits(page)

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("Enter")
    expect(disclosure).not_to_have_attribute("open", "")
    assert problems == []
