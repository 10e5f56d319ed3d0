"""The triage desk driven like an investigator would, in Debian's chromium: sign in with both
factors, take an urgent tip from the queue and carry it to closed; the same on a tablet; and
the claim reached with the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browsing import expect_success, sign_in_page
from tests.readers import fresh
from tips import followup
from tips.models import Message, Tip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESSAGE = "Thank you. Can you tell us what time the van usually arrives?"
TAB_BOUND = 40

Opener = Callable[..., Page]


def _tip_path(tip: Tip) -> str:
    return f"/triage/tips/{tip.code}/"


def _tip_url(live_server, tip: Tip) -> str:
    return f"{live_server.url}{_tip_path(tip)}"


def _move(page: Page, to: str, reason: str, close_reason: str = "") -> None:
    page.locator("#move-to").select_option(to)
    if close_reason:
        page.locator("#close-reason").select_option(close_reason)
    page.locator("#move-reason").fill(reason)
    page.get_by_role("button", name="Change status").click()
    expect_success(page, "Status changed.")


def _within_width(page: Page, element: Locator) -> None:
    expect(element).to_be_visible()
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} > {width}"


def test_it_walks_a_tip_from_the_queue_to_closed(
    open_tab: Opener, live_server, investigator, submit
) -> None:
    routine, _ = submit(what="suspicious_activity")
    urgent, receipt = submit(immediate_danger="yes")
    page = open_tab(1280, 800)
    sign_in_page(page, live_server, investigator)

    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Queue").click()
    expect(page).to_have_url(f"{live_server.url}/triage/")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("a.tip-link")).to_have_attribute("href", _tip_path(urgent))
    expect(rows.nth(0)).to_contain_text("Danger")
    expect(rows.nth(1).locator("a.tip-link")).to_have_attribute("href", _tip_path(routine))

    rows.nth(0).get_by_role("button", name="Claim").click()
    expect(page).to_have_url(_tip_url(live_server, urgent))
    expect_success(page, "You have this tip now.")
    expect(page.locator("#tip-status")).to_have_text("In review")
    expect(page.locator("#tip-assignee")).to_have_text(investigator.username)

    page.get_by_role("link", name="← Queue").click()
    claimed_row = page.locator("table.queue tbody tr").filter(
        has=page.locator(f'a[href="{_tip_path(urgent)}"]')
    )
    expect(claimed_row).to_contain_text(investigator.username)
    expect(claimed_row.get_by_role("button", name="Claim")).to_have_count(0)
    claimed_row.locator("a.tip-link").click()
    expect(page).to_have_url(_tip_url(live_server, urgent))
    expect(page.locator("#tip-description")).to_contain_text("Sunrise Nail Spa")

    page.locator("#category").select_option("sex_trafficking")
    page.get_by_role("button", name="Set category").click()
    expect_success(page, "Category changed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Someone is being made to sell sex"
    )

    page.locator("#message-body").fill(MESSAGE)
    page.get_by_role("button", name="Send to tipster").click()
    expect_success(page, "Message sent.")
    expect(page.locator(".thread__message--investigator")).to_contain_text(MESSAGE)

    _move(page, "investigating", "The plate matches an open labor case.")
    expect(page.locator("#tip-status")).to_have_text("Investigating")
    expect(page.locator("#tip-assignee")).to_have_text(investigator.username)

    _move(page, "closed", "Workers interviewed and placed with services.", "resolved")
    expect(page.locator("#tip-status")).to_have_text("Closed")
    expect(page.locator(".tip-head")).to_contain_text("(Resolved)")
    expect(page.locator("#tip-assignee")).to_have_text(investigator.username)

    closed = fresh(urgent)
    assert (closed.status, closed.close_reason) == ("closed", "resolved")
    assert closed.category == "sex_trafficking"
    assert closed.assignee_id == investigator.pk
    sent = Message.objects.filter(tip=urgent, sender=Message.Sender.INVESTIGATOR)
    assert [message.author_id for message in sent] == [investigator.pk]
    thread = followup.read_thread(receipt)
    assert thread is not None
    assert thread.messages[0].body == MESSAGE
    assert fresh(routine).assignee_id is None


def test_it_claims_on_a_tablet_without_sideways_scrolling(
    open_tab: Opener, live_server, investigator, submit
) -> None:
    tip, _ = submit(immediate_danger="yes")
    page = open_tab(768, 1024)
    sign_in_page(page, live_server, investigator)

    page.goto(f"{live_server.url}/triage/")
    page.locator(f'a.tip-link[href="{_tip_path(tip)}"]').click()
    expect(page).to_have_url(_tip_url(live_server, tip))
    claim = page.locator("#claim")
    _within_width(page, claim)

    claim.click()
    expect_success(page, "You have this tip now.")
    expect(page.locator("#tip-status")).to_have_text("In review")
    expect(page.locator("#tip-assignee")).to_have_text(investigator.username)
    status_form = page.locator("form").filter(has=page.locator("#move-to"))
    for part in (status_form, page.locator("#move-to"), page.locator("#close-reason"),
                 page.locator("#move-reason"),
                 status_form.get_by_role("button", name="Change status")):  # fmt: skip
        _within_width(page, part)
    assert fresh(tip).assignee_id == investigator.pk


def test_it_reaches_and_presses_claim_with_the_keyboard_alone(
    open_tab: Opener, live_server, investigator, submit
) -> None:
    tip, _ = submit()
    page = open_tab()
    sign_in_page(page, live_server, investigator)
    page.goto(_tip_url(live_server, tip))
    expect(page.locator("#claim")).to_be_visible()

    stops: list[str] = []
    for _ in range(TAB_BOUND):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || `${e.tagName}:${(e.textContent || '').trim().slice(0, 20)}`; }"
            )
        )
        if stops[-1] == "claim":
            break
    assert stops[-1] == "claim", f"claim not reached in {TAB_BOUND} tabs: {stops}"
    expect(page.locator("#claim")).to_be_focused()

    page.keyboard.press("Enter")
    expect_success(page, "You have this tip now.")
    expect(page.locator("#tip-status")).to_have_text("In review")
    expect(page.locator("#tip-assignee")).to_have_text(investigator.username)
    assert fresh(tip).assignee_id == investigator.pk
