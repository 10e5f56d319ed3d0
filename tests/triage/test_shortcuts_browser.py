"""Keyboard shortcuts on the queue and the tip page, in Debian's chromium: j/k between tips,
x to select, / to search, o to open, n/m/c and g q on a tip; ignored while typing; the help
panel (?, Esc, focus back), the switch that turns single keys off, axe with the panel open,
and the pages without scripts (saved views included)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browsing import expect_success, sign_in_page
from tests.readers import fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Opener = Callable[..., Page]


@pytest.fixture
def three_tips(submit):
    return [submit()[0] for _ in range(3)]


@pytest.fixture
def queue(open_tab: Opener, live_server, investigator, three_tips) -> Page:
    page = open_tab()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)  # fmt: skip
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_page(page, live_server, investigator)
    page.goto(f"{live_server.url}/triage/")
    _ready(page)
    yield page
    assert problems == []  # no script error, no CSP report


def _link(page: Page, n: int):
    return page.locator("table.queue tbody tr").nth(n).locator("a.tip-link")


def _box(page: Page, n: int):
    return page.locator("table.queue tbody tr").nth(n).locator("input[name=ids]")


def _ready(page: Page) -> None:
    """The page's shortcuts script has run: it shows the button that opens the panel."""
    expect(page.locator("#shortcuts-open")).to_be_visible()


def _blur(page: Page) -> None:
    page.evaluate("document.activeElement.blur()")


def _axe_clean(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_j_and_k_move_between_tips_and_x_selects(queue: Page) -> None:
    announcer = queue.locator("#shortcuts-announcer")

    queue.keyboard.press("j")
    expect(_link(queue, 0)).to_be_focused()
    expect(announcer).to_contain_text("Tip 1 of 3")
    queue.keyboard.press("j")
    queue.keyboard.press("j")
    expect(_link(queue, 2)).to_be_focused()
    expect(announcer).to_contain_text("Tip 3 of 3")
    queue.keyboard.press("j")
    expect(_link(queue, 2)).to_be_focused()
    expect(announcer).to_contain_text("This is the last tip on the page.")
    queue.keyboard.press("k")
    expect(_link(queue, 1)).to_be_focused()

    queue.keyboard.press("x")
    expect(_box(queue, 1)).to_be_checked()
    expect(announcer).to_contain_text("Selected:")
    expect(_link(queue, 1)).to_be_focused()  # focus stays on the row's link
    queue.keyboard.press("x")
    expect(_box(queue, 1)).not_to_be_checked()
    expect(announcer).to_contain_text("Not selected:")
    expect(_link(queue, 1)).to_have_attribute("aria-keyshortcuts", "O")
    expect(_box(queue, 1)).to_have_attribute("aria-keyshortcuts", "X")


def test_typing_in_the_search_box_types_and_moves_nothing(queue: Page) -> None:
    search = queue.locator("#queue-search")
    expect(search).to_have_attribute("aria-keyshortcuts", "/")

    queue.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the slash went to the shortcut, not into the box
    queue.keyboard.type("jkx/?")
    expect(search).to_have_value("jkx/?")
    expect(search).to_be_focused()
    expect(queue.locator("#shortcuts-help")).not_to_be_visible()
    expect(queue.locator("input[name=ids]:checked")).to_have_count(0)
    expect(queue.locator("#shortcuts-announcer")).to_have_text("")

    _blur(queue)
    queue.keyboard.press("Control+j")  # a modifier held: not a shortcut
    expect(_link(queue, 0)).not_to_be_focused()


def test_o_opens_and_the_tip_page_keys_do_what_its_controls_do(
    queue: Page, live_server, investigator, three_tips
) -> None:
    queue.keyboard.press("j")
    href = _link(queue, 0).get_attribute("href")
    queue.keyboard.press("o")
    expect(queue).to_have_url(f"{live_server.url}{href}")
    _ready(queue)
    tip = next(t for t in three_tips if str(t.code) in href)

    queue.keyboard.press("n")
    expect(queue.locator("#note-body")).to_be_focused()
    queue.keyboard.type("met")  # m is a letter here, not a shortcut
    expect(queue.locator("#note-body")).to_have_value("met")
    _blur(queue)
    queue.keyboard.press("m")
    expect(queue.locator("#message-body")).to_be_focused()
    _blur(queue)
    expect(queue.locator("#claim")).to_have_attribute("aria-keyshortcuts", "C")
    queue.keyboard.press("c")
    expect_success(queue, "You have this tip now.")
    _ready(queue)
    assert fresh(tip).assignee_id == investigator.pk
    expect(queue.locator("#claim")).to_have_count(0)
    queue.keyboard.press("c")  # no claim button: nothing happens

    queue.keyboard.press("g")
    queue.keyboard.press("q")
    expect(queue).to_have_url(f"{live_server.url}/triage/")


def test_the_help_panel_opens_with_the_key_and_closes_with_esc(queue: Page) -> None:
    queue.get_by_label("Name for this view").fill("Everything open")
    queue.get_by_role("button", name="Save this view").click()
    expect_success(queue, "View “Everything open” saved.")
    _ready(queue)
    panel = queue.locator("#shortcuts-help")
    expect(panel).not_to_be_visible()
    queue.keyboard.press("j")
    queue.keyboard.press("j")

    queue.keyboard.press("?")
    expect(panel).to_be_visible()
    expect(queue.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    expect(queue.locator("#shortcuts-close")).to_be_focused()
    expect(panel).to_contain_text("Next tip")
    expect(panel).to_contain_text("Back to the queue")
    _axe_clean(queue)

    queue.keyboard.press("j")  # inside the panel, keys are the panel's own
    expect(queue.locator("#shortcuts-close")).to_be_focused()
    queue.keyboard.press("Escape")
    expect(panel).not_to_be_visible()
    expect(_link(queue, 1)).to_be_focused()


def test_single_keys_can_be_turned_off_and_stay_off(queue: Page) -> None:
    button = queue.get_by_role("button", name="Keyboard shortcuts")
    button.click()
    toggle = queue.locator("#shortcuts-toggle")
    expect(toggle).to_have_text("Turn single-key shortcuts off")
    toggle.click()
    expect(toggle).to_have_text("Turn single-key shortcuts on")
    expect(queue.locator("#shortcuts-state")).to_have_text("Single-key shortcuts are off.")
    queue.get_by_role("button", name="Close").click()
    expect(button).to_be_focused()

    queue.reload()
    _ready(queue)
    for key in ("j", "/", "?"):
        queue.keyboard.press(key)
    expect(_link(queue, 0)).not_to_be_focused()
    expect(queue.locator("#queue-search")).not_to_be_focused()
    expect(queue.locator("#shortcuts-help")).not_to_be_visible()
    expect(queue.locator("#queue-search")).not_to_have_attribute("aria-keyshortcuts", "/")

    queue.get_by_role("button", name="Keyboard shortcuts").click()  # the way back on
    queue.locator("#shortcuts-toggle").click()
    queue.keyboard.press("Escape")
    queue.keyboard.press("j")
    expect(_link(queue, 0)).to_be_focused()


def test_the_tip_page_panel_passes_axe(queue: Page, live_server, three_tips) -> None:
    queue.goto(f"{live_server.url}/triage/tips/{three_tips[0].code}/")
    _ready(queue)
    queue.keyboard.press("?")
    expect(queue.locator("#shortcuts-help")).to_be_visible()
    _axe_clean(queue)
    queue.keyboard.press("Escape")
    expect(queue.locator("#shortcuts-help")).not_to_be_visible()


def test_without_scripts_nothing_is_missing(browser, live_server, investigator, three_tips):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_page(page, live_server, investigator)
        page.goto(f"{live_server.url}/triage/?unclaimed=1")
        expect(page.locator("#shortcuts-open")).to_be_hidden()
        expect(page.locator("#shortcuts-help")).to_be_hidden()
        expect(page.locator("table.queue tbody tr")).to_have_count(3)

        page.get_by_label("Name for this view").fill("Nobody has these")
        page.get_by_role("button", name="Save this view").click()
        expect_success(page, "View “Nobody has these” saved.")
        saved = page.get_by_role("link", name="Nobody has these")
        expect(saved).to_have_attribute("href", "/triage/?unclaimed=1")
        page.get_by_role("button", name="Delete Nobody has these").click()
        expect_success(page, "View “Nobody has these” deleted.")
        expect(page.get_by_role("link", name="Nobody has these")).to_have_count(0)

        page.goto(f"{live_server.url}/triage/tips/{three_tips[0].code}/")
        expect(page.locator("#shortcuts-open")).to_be_hidden()
        expect(page.locator("#shortcuts-help")).to_be_hidden()
    finally:
        context.close()
