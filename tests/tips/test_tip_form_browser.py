"""The public doors driven like a person would, in Debian's chromium: report, ask for help,
follow up, in English and Spanish, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from tests.readers import read_tip
from tips.models import Tip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIPT = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
DESCRIPTION = "Three women sleep in the back room of the Sunrise Nail Spa and never leave."


def _confine(page: Page, live_server) -> list[str]:
    """Let the page reach only the live server; the list collects whatever else it asked for."""
    elsewhere: list[str] = []

    def handle(route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.context.route("**/*", handle)
    return elsewhere


@pytest.fixture
def tab(page: Page, live_server, settings) -> Iterator[Page]:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    elsewhere = _confine(page, live_server)
    yield page
    assert elsewhere == []


@pytest.fixture
def no_js_tab(browser: Browser, live_server, settings) -> Iterator[Page]:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    elsewhere = _confine(page, live_server)
    yield page
    context.close()
    assert elsewhere == []


def _comes_before(first: Locator, second: Locator) -> bool:
    return first.evaluate(
        "(a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        second.element_handle(),
    )


def _receipt(page: Page) -> str:
    receipt = page.locator("#receipt")
    expect(receipt).to_have_text(RECEIPT)
    return receipt.inner_text()


def test_it_takes_a_report_and_a_follow_up_from_the_front_door(
    tab, live_server, desk_reader, tmp_path
) -> None:
    photo = tmp_path / "van.png"
    Image.new("RGB", (12, 8), "white").save(photo)
    tab.goto(f"{live_server.url}/")
    tab.get_by_role("link", name="Report something").click()
    expect(tab).to_have_url(f"{live_server.url}/tip/")

    tab.get_by_role("group", name="What is happening?").get_by_label(
        "Someone is being forced to work"
    ).check()
    tab.get_by_role("group", name="Is anyone in immediate danger?").get_by_label(
        "No", exact=True
    ).check()
    tab.get_by_role("group", name="Is anyone involved under 18?").get_by_label("Not sure").check()
    tab.get_by_role("textbox", name="What happened?").fill(DESCRIPTION)
    # The optional sections are folded until opened.
    for section in ("When and where", "Phone numbers, accounts", "Signs you may", "Photos or"):
        tab.locator("details.section > summary", has_text=section).click()
    tab.get_by_role("textbox", name="Where did it happen?").fill("1200 Main Street, rear door")
    tab.get_by_role("combobox", name="Area").select_option(label="Olathe")
    tab.get_by_role("textbox", name="Phone numbers").fill("(913) 555-0142")
    tab.get_by_label("Lives where they work, or is moved between places").check()
    tab.get_by_label("Does not hold their own ID or passport").check()
    tab.get_by_label("Photos or documents").set_input_files(photo)
    tab.get_by_role("button", name="Send report").click()

    receipt = _receipt(tab)
    tip = Tip.objects.get()
    content = read_tip(tip, desk_reader)
    assert content["description"] == DESCRIPTION
    assert (tip.what, tip.immediate_danger, tip.area) == ("labor_trafficking", "no", "olathe")
    assert set(content["indicators"]) == {"lives_at_work", "no_documents"}
    assert tip.attachment_count == 1

    tab.goto(f"{live_server.url}/follow-up/")
    tab.get_by_label("Your receipt code").fill(receipt)
    tab.get_by_role("button", name="Open").click()
    expect(tab.locator("#tipster-status")).to_have_text("Received")
    tab.get_by_label("Add information or reply").fill("The van comes back every night at ten.")
    tab.get_by_role("button", name="Send").click()
    # Post/redirect/get: the thread opens again with the code.
    expect(tab.get_by_role("status")).to_be_visible()
    tab.get_by_label("Your receipt code").fill(receipt)
    tab.get_by_role("button", name="Open").click()
    expect(tab.locator(".thread__message--tipster .thread__body")).to_have_text(
        "The van comes back every night at ten."
    )


def test_it_takes_a_report_in_spanish(tab, live_server, desk_reader) -> None:
    tab.goto(f"{live_server.url}/es/")
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    tab.locator('a.door[href="/es/tip/"]').click()
    expect(tab).to_have_url(f"{live_server.url}/es/tip/")
    expect(tab.locator("html")).to_have_attribute("lang", "es")

    tab.locator("#id_what_1").check()
    tab.locator("#id_immediate_danger_1").check()
    tab.locator("#id_minor_involved_2").check()
    tab.locator("#id_description").fill("Tres mujeres duermen en el cuarto de atrás del spa.")
    tab.locator("#section-where > summary").click()
    tab.locator("#id_location").fill("Calle Main 1200")
    tab.locator("#id_area").select_option("i_70_i_35_corridor")
    send = tab.locator("form.tip-form button[type=submit]")
    send_label = send.inner_text().strip()
    send.click()

    _receipt(tab)
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    tip = Tip.objects.get()
    assert tip.language == "es"
    assert read_tip(tip, desk_reader)["description"].startswith("Tres mujeres")
    assert send_label != "Send report", "the Spanish tip form's button is not translated"


def test_it_keeps_what_was_typed_without_javascript(no_js_tab, live_server, recovery_key) -> None:
    page = no_js_tab
    page.goto(f"{live_server.url}/tip/")
    expect(page.locator("#quick-exit")).to_be_visible()
    page.locator("#id_what_5").check()
    page.locator("#id_immediate_danger_1").check()
    page.locator("#id_minor_involved_2").check()
    page.locator("#section-where > summary").click()
    page.locator("#section-indicators > summary").click()
    page.locator("#id_location").fill("Starlite Motel, Route 7")
    page.locator("#id_area").select_option("lenexa")
    page.locator("input[name=indicators][value=fearful]").check()
    page.locator("input[name=indicators][value=online_ads]").check()
    page.locator("form.tip-form button[type=submit]").click()

    description = page.locator("#id_description")
    error = page.locator("#id_description_error")
    expect(error).to_be_visible()
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(description).to_have_accessible_description(re.compile(re.escape(error.inner_text())))
    expect(page.locator("#id_location")).to_have_value("Starlite Motel, Route 7")
    expect(page.locator("#id_area")).to_have_value("lenexa")
    for checked in ("#id_what_5", "#id_immediate_danger_1", "#id_minor_involved_2",
                    "input[name=indicators][value=fearful]",
                    "input[name=indicators][value=online_ads]"):  # fmt: skip
        expect(page.locator(checked)).to_be_checked()
    expect(page.locator("input[name=indicators]:checked")).to_have_count(2)
    assert not Tip.objects.exists()

    description.fill("A man takes their phones away when they arrive.")
    page.locator("form.tip-form button[type=submit]").click()
    _receipt(page)
    assert Tip.objects.get().area == "lenexa"


def test_it_lets_a_victim_ask_for_help_with_only_a_safe_way_to_reach_them(
    tab, live_server, desk_reader
) -> None:
    tab.goto(f"{live_server.url}/")
    tab.get_by_role("link", name="I need help").click()
    expect(tab).to_have_url(f"{live_server.url}/help/")
    form = tab.locator("form.tip-form")
    for number in ("911", "1-888-373-7888"):
        mention = tab.get_by_text(number).first
        expect(mention).to_be_visible()
        assert _comes_before(mention, form), f"{number} is not shown before the form"

    tab.get_by_label("How and when is it safe to reach you?").fill("Text only, after 10pm")
    tab.get_by_role("button", name="Send").click()

    _receipt(tab)
    tip = Tip.objects.get()
    assert tip.victim_self_report is True
    assert tip.what == "victim_needs_help"
    assert read_tip(tip, desk_reader)["contact"]["safe_contact"] == "Text only, after 10pm"


def test_it_puts_911_first_and_repeats_it_when_someone_is_in_danger(
    tab, live_server, recovery_key
) -> None:
    tab.goto(f"{live_server.url}/tip/")
    call_911 = tab.get_by_text("call 911").first
    expect(call_911).to_be_visible()
    assert _comes_before(
        call_911, tab.locator("form.tip-form :is(input:not([type=hidden]), textarea, select)").first
    )

    tab.get_by_role("group", name="What is happening?").get_by_label("Something else").check()
    tab.locator("#id_immediate_danger_0").check()
    tab.locator("#id_minor_involved_1").check()
    tab.get_by_role("textbox", name="What happened?").fill("A man is locking a girl in a car.")
    tab.get_by_role("button", name="Send report").click()

    _receipt(tab)
    guidance = tab.locator(".emergency").get_by_text("call 911")
    expect(guidance).to_be_visible()
    assert _comes_before(guidance, tab.locator("#receipt"))
    assert Tip.objects.get().immediate_danger == "yes"
