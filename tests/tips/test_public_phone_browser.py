"""The public pages on a 390 px phone in Debian's chromium: how far the required questions are,
the sticky quick exit, focus on problems, cookies blocked, and axe on every public page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories import image
from tips.models import Attachment, Tip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
RECEIPT = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")


@pytest.fixture
def phone(browser: Browser, live_server, settings) -> Iterator[BrowserContext]:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def phone_no_js(browser: Browser, live_server, settings) -> Iterator[BrowserContext]:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    yield context
    context.close()


def _screens_to_reach(page: Page, selector: str) -> float:
    """How many viewport heights from the top of the page to the bottom of `selector`."""
    return page.locator(selector).first.evaluate(
        "(el) => (el.getBoundingClientRect().bottom + window.scrollY) / window.innerHeight"
    )


def test_the_required_questions_and_send_are_within_three_screens(phone, live_server, recovery_key):
    page = phone.new_page()
    for prefix in ("", "/es"):
        page.goto(f"{live_server.url}{prefix}/tip/")
        for selector in (
            "#id_what",
            "#id_immediate_danger",
            "#id_minor_involved",
            "#id_description",
            "button.send",
        ):
            assert _screens_to_reach(page, selector) <= 3, (prefix, selector)


def test_nothing_scrolls_sideways_at_320_px(browser, live_server, recovery_key):
    context = browser.new_context(viewport=NARROW, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/es/", "/tip/", "/es/tip/", "/help/", "/es/help/", "/follow-up/"):
        page.goto(f"{live_server.url}{path}")
        for summary in page.locator("details > summary").all():
            summary.click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], (path, width)
    context.close()


def test_the_quick_exit_stays_on_screen_and_touch_targets_are_44_px(
    phone, live_server, recovery_key
):
    page = phone.new_page()
    page.goto(f"{live_server.url}/tip/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#quick-exit").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    page.evaluate("window.scrollTo(0, 0)")
    for summary in page.locator("details > summary").all():
        summary.click()
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'main button, main summary, main input[type=file], main .check, main select,'
              + ' #id_what > div > label, #quick-exit')]
            .filter((el) => el.getBoundingClientRect().height < 44)
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert small == []


def test_the_error_summary_takes_focus(phone, live_server, recovery_key):
    page = phone.new_page()
    for path in ("/tip/", "/help/"):
        page.goto(f"{live_server.url}{path}")
        page.locator("button.send").click()
        summary = page.locator("#form-problem")
        expect(summary).to_be_focused()
        box = summary.bounding_box()
        assert box and 0 <= box["y"] < PHONE["height"]


def test_without_javascript_the_summary_is_first_with_links(phone_no_js, live_server, recovery_key):
    page = phone_no_js.new_page()
    page.goto(f"{live_server.url}/es/tip/")
    page.locator("button.send").click()
    summary = page.locator("#form-problem")
    expect(summary).to_contain_text("Cuéntenos en pocas palabras")
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_what_0")


def _fill_required(page: Page) -> None:
    page.locator("#id_what_0").check()
    page.locator("#id_immediate_danger_1").check()
    page.locator("#id_minor_involved_2").check()
    page.locator("#id_description").fill("Men sleep in the warehouse and cannot leave.")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_forms_work_with_cookies_blocked(browser, live_server, recovery_key, javascript):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/tip/")
    _fill_required(page)
    # The CSRF cookie set by the form page is gone by the time the form is sent.
    context.clear_cookies()
    page.locator("button.send").click()
    receipt = page.locator("#receipt").inner_text()
    assert RECEIPT.match(receipt) and Tip.objects.count() == 1

    page.goto(f"{live_server.url}/help/")
    page.locator("#id_need").fill("A safe place tonight")
    context.clear_cookies()
    page.locator("button.send").click()
    expect(page.locator("#received-title")).to_be_visible()

    page.goto(f"{live_server.url}/follow-up/")
    page.locator("#id_receipt").fill(receipt)
    context.clear_cookies()
    page.locator("button.send").click()
    page.locator("#id_body").fill("He drives a white van.")
    context.clear_cookies()
    page.locator("button.send").click()
    expect(page.locator("#form-problem")).to_contain_text("Your information was added")
    # A reload after the reply repeats nothing.
    page.reload()
    assert Tip.objects.get(victim_self_report=False).messages.count() == 1
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_refused_post_comes_back_filled_in(browser, live_server, recovery_key, javascript):
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()

    def from_elsewhere(route) -> None:
        # What a post looks like when the browser cannot show it came from this site. Chromium
        # keeps its own Origin on a continued request, so the post is sent from Playwright's
        # side with the header changed and its answer handed back to the page.
        if route.request.method == "POST":
            route.fulfill(response=route.fetch(headers={**route.request.headers, "origin": "null"}))
        else:
            route.continue_()

    page.route(re.compile(r".*/es/tip/$"), from_elsewhere)
    page.goto(f"{live_server.url}/es/tip/")
    _fill_required(page)
    page.locator("#section-people > summary").click()
    page.locator("#id_people").fill("Tío, unos 40 años")
    page.locator("button.send").click()

    problem = page.locator("#form-problem")
    expect(problem).to_contain_text("Todo lo que escribió sigue aquí")
    expect(problem.locator('a[href="tel:+18883737888"]')).to_be_visible()
    expect(page.locator("#id_description")).to_have_value(
        "Men sleep in the warehouse and cannot leave."
    )
    expect(page.locator("#id_people")).to_have_value("Tío, unos 40 años")
    expect(page.locator("#id_what_0")).to_be_checked()
    expect(page.locator("#quick-exit")).to_be_visible()
    assert Tip.objects.count() == 0
    if javascript:
        expect(problem).to_be_focused()
    context.close()


def test_the_receipt_never_breaks_and_can_be_copied(browser, live_server, recovery_key):
    context = browser.new_context(viewport=NARROW, is_mobile=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/tip/")
    _fill_required(page)
    page.locator("button.send").click()
    code = page.locator("#receipt")
    lines = code.evaluate(
        "(el) => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }"
    )
    assert lines == 1
    page.get_by_role("button", name="Copy the code").click()
    expect(page.locator("#copy-status")).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == code.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    context.close()


def test_quick_exit_is_announced_with_its_shortcut(phone, live_server):
    page = phone.new_page()
    page.goto(f"{live_server.url}/tip/")
    exit_link = page.get_by_role("link", name="Quick exit")
    expect(exit_link).to_have_attribute("aria-keyshortcuts", "Escape Escape")
    expect(exit_link).to_have_accessible_description(
        "Leaves this site at once. Shortcut: press Esc twice."
    )
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/healthz/")
    page.go_back()
    assert "/tip/" not in page.url


def _axe_clean(page: Page) -> None:
    # Opened one at a time: each click takes a section out of the "not open" list.
    folded = page.locator("details:not([open]) > summary")
    while folded.count():
        folded.first.click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("javascript", [True, False])
def test_every_public_page_passes_axe(browser, live_server, recovery_key, javascript):
    context = browser.new_context(viewport=PHONE, java_script_enabled=True)
    page = context.new_page()
    if not javascript:
        # axe itself needs scripts; the page's own scripts are kept out instead.
        page.route("**/static/portal/*.js", lambda route: route.abort())
    for prefix in ("", "/es"):
        for path in ("/", "/tip/", "/help/", "/follow-up/"):
            page.goto(f"{live_server.url}{prefix}{path}")
            _axe_clean(page)
        page.goto(f"{live_server.url}{prefix}/tip/")
        page.locator("button.send").click()  # the error state
        _axe_clean(page)
        page.goto(f"{live_server.url}{prefix}/follow-up/")
        page.locator("#id_receipt").fill("ABCDE")
        page.locator("button.send").click()
        _axe_clean(page)
        page.goto(f"{live_server.url}{prefix}/tip/")
        _fill_required(page)
        page.locator("button.send").click()  # the receipt
        receipt = page.locator("#receipt").inner_text()
        _axe_clean(page)
        page.goto(f"{live_server.url}{prefix}/follow-up/")
        page.locator("#id_receipt").fill(receipt)
        page.locator("button.send").click()  # the thread
        _axe_clean(page)
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_photo_can_be_added_to_an_existing_report(
    browser, live_server, recovery_key, javascript, tmp_path
):
    photo = tmp_path / "van.jpg"
    photo.write_bytes(image(name="van.jpg").getvalue())
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/tip/")
    _fill_required(page)
    page.locator("button.send").click()
    receipt = page.locator("#receipt").inner_text()

    page.goto(f"{live_server.url}/follow-up/")
    page.locator("#id_receipt").fill(receipt)
    page.locator("button.send").click()
    page.locator("#id_attachments").set_input_files(photo)
    page.locator("button.send").click()

    expect(page.locator("#form-problem")).to_contain_text("Your information was added")
    page.locator("#id_receipt").fill(receipt)
    page.locator("button.send").click()
    expect(page.locator(".thread__files")).to_have_text("1 photo or document added.")
    assert Attachment.objects.filter(message__isnull=False).count() == 1
    context.close()
