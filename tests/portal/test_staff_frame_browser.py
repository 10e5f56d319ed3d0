"""One staff frame, in Debian's chromium at a phone's width (390 px) and a desk's (1280 px): every
staff page, a 403 and a 404 included, carries the staff navigation and sign-out, never scrolls
sideways, keeps its main actions in reach (inside the width, 44 px targets on a phone), and
axe-core finds no violation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from partners.models import Organization
from portal import vault
from portal.models import User
from tests import factories
from tests.browsing import sign_in_page
from tests.staff import STAFF_PASSWORD
from triage import actions as triage_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESK = 390, 1280
TARGET = 44  # px: WCAG 2.5.5's target size, asked of the main actions on a phone

Opener = Callable[..., Page]


@dataclass(frozen=True)
class World:
    people: dict[str, User]
    paths: dict[str, str]


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def world(investigator, supervisor, liaison_a, admin_user, recovery_key) -> World:
    """An unclaimed urgent tip, a tip the investigator holds with a reveal waiting for a
    supervisor, and a handoff of it waiting for org-a's liaison to accept."""
    liaison = factories.partner(liaison_a, recovery_key)
    factories.submit_tip(immediate_danger="yes", minor_involved="yes", victim_self_report=True)
    held, _ = factories.submit_tip(contact=factories.tipster_contact())
    held = triage_actions.do_claim(held, acting_user=investigator)
    triage_actions.do_request_reveal(
        held, "To arrange a safe call back.", acting_user=investigator,
        unlocked=vault.unlock(investigator, STAFF_PASSWORD),
    )  # fmt: skip
    handoff = factories.hand_off(
        held, Organization.objects.get(slug="org-a"), acting_user=investigator,
        with_consent=True,
    )  # fmt: skip
    return World(
        people={
            "investigator": investigator,
            "supervisor": supervisor,
            "liaison": liaison,
            "admin": admin_user,
        },
        paths={
            "tip": f"/triage/tips/{held.code}/",
            "handoff": f"/handoffs/{handoff.code}/",
            "missing": f"/triage/tips/{uuid4()}/",
        },
    )


@dataclass(frozen=True)
class Case:
    who: str
    path: str  # or a key of World.paths
    status: int = 200
    actions: tuple[str, ...] = ()  # the main actions' button names


def _case(name: str, *args: Any, marks: Any = ()) -> Any:
    return pytest.param(Case(*args), id=name, marks=marks)


PAGES = [
    _case("investigator home", "investigator", "/staff/"),
    _case("supervisor home", "supervisor", "/staff/"),
    _case("liaison home", "liaison", "/staff/"),
    _case("queue", "investigator", "/triage/", 200, ("Claim",)),
    _case("tip", "investigator", "tip"),
    _case("reveals", "supervisor", "/triage/reveals/", 200, ("Approve", "Deny")),
    _case("liaison handoff inbox", "liaison", "/handoffs/"),
    _case("supervisor handoff inbox", "supervisor", "/handoffs/"),
    _case("handoff", "liaison", "handoff", 200, ("Accept",)),
    _case("statistics", "supervisor", "/triage/statistics/"),
    _case("partner statistics", "liaison", "/handoffs/statistics/"),
    _case("accounts", "admin", "/staff/accounts/", 200, ("Disable",)),
    _case("desks", "supervisor", "/staff/desks/"),
    _case("on call", "supervisor", "/staff/on-call/"),
    _case("retention policy", "supervisor", "/triage/retention/"),
    _case("audit log", "supervisor", "/audit/"),
    _case("audit verify", "supervisor", "/audit/verify/"),
    _case("403", "investigator", "/triage/reveals/", 403),
    _case("404", "investigator", "missing", 404),
]


def _open_every_fold(page: Page) -> None:
    # One at a time: each click takes a section out of the "not open" list.
    folded = page.locator("details:not([open]) > summary")
    while folded.count():
        folded.first.click()


def _no_sideways_scroll(page: Page) -> None:
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width} > {width}"


def _in_reach(page: Page, name: str, *, phone: bool) -> None:
    buttons = page.get_by_role("button", name=name, exact=True)
    assert buttons.count() >= 1, f"no {name!r} button"
    width = page.evaluate("window.innerWidth")
    for button in buttons.all():
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None, f"{name!r} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box, width)
        if phone:
            assert box["width"] >= TARGET and box["height"] >= TARGET, (name, box)


@pytest.mark.parametrize("width", [PHONE, DESK], ids=["390px", "1280px"])
@pytest.mark.parametrize("case", PAGES)
def test_every_staff_page_fits_the_staff_frame(
    open_tab: Opener, live_server, world: World, width: int, case: Case
) -> None:
    page = open_tab(width, 800)
    sign_in_page(page, live_server, world.people[case.who])
    response = page.goto(f"{live_server.url}{world.paths.get(case.path, case.path)}")
    assert response is not None and response.status == case.status

    nav = page.get_by_role("navigation", name="Staff")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("footer")).to_contain_text("recorded in the audit log")
    _open_every_fold(page)
    _no_sideways_scroll(page)
    for action in case.actions:
        _in_reach(page, action, phone=width == PHONE)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
