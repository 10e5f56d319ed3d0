"""A victim-service handoff driven like people would, in Debian's chromium: the investigator hands
a tip's person off to a partner with verbal consent, the partner's liaison accepts and closes it
with an outcome, and the task force sees the outcome code but never the liaison's note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from handoffs.models import Handoff
from partners.models import Organization
from portal import vault
from portal.models import User
from tests.browsing import expect_success, sign_in_page
from tests.factories import submission
from tips import actions as tip_actions
from tips.models import Tip
from triage import actions as triage_actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORG_NAME = "Northside Drop-in Center"
SUMMARY = "A woman from the warehouse needs a safe bed tonight and someone to talk to."
SAFE_CONTACT = "Text only, weekday mornings"
LIAISON_NOTE = "She asked us not to call her cousin; placed in room 4 at the east house."

Opener = Callable[..., Page]


@dataclass(frozen=True)
class World:
    investigator: User
    liaison: User
    tip: Tip


@pytest.fixture
def world_browser(make_staff) -> World:
    """The vault, an investigator on the triage desk holding a tip, a partner and its liaison."""
    recovery = vault.initialize()
    investigator = make_staff("ivy-investigator", "investigator")
    vault.grant_desk_with_recovery(vault.triage_desk(), investigator, recovery)
    org = Organization.objects.create(
        slug="drop-in", name=ORG_NAME, services=["shelter", "medical", "counseling"]
    )
    vault.create_organization_desk(org)
    liaison = make_staff("lia-liaison", "liaison", org_slug="drop-in")
    vault.grant_desk_with_recovery(vault.get_desk("drop-in"), liaison, recovery)
    tip = Tip.objects.get(pk=tip_actions.do_submit_tip(submission()).tip.pk)
    triage_actions.do_claim(tip, acting_user=investigator)
    return World(investigator, liaison, tip)


def _hand_off(page: Page) -> None:
    form = page.locator("form.handoff-form")
    form.get_by_label("Organization").select_option("drop-in")
    services = form.get_by_role("group", name="Services")
    services.get_by_label("Emergency shelter").check()
    services.get_by_label("Counseling").check()
    form.get_by_label("Summary").fill(SUMMARY)
    form.get_by_label("Yes", exact=True).check()
    form.get_by_label("Consent method").select_option(label="Verbal")
    form.get_by_label("How and when to reach them").check()
    default_expiry = timezone.localdate() + timedelta(days=90)
    expect(form.get_by_label("Consent expires")).to_have_value(default_expiry.isoformat())
    form.get_by_label("How and when it is safe to reach them").fill(SAFE_CONTACT)
    form.get_by_role("button", name="Send the handoff").click()


def test_it_hands_off_and_brings_back_only_the_outcome(
    open_tab: Opener, live_server, world_browser: World
) -> None:
    tip_url = f"{live_server.url}/triage/tips/{world_browser.tip.code}/"
    ivy = open_tab()
    sign_in_page(ivy, live_server, world_browser.investigator)
    ivy.goto(tip_url)
    ivy.get_by_role("link", name="Hand off to a partner organization").click()
    expect(ivy).to_have_url(f"{live_server.url}/handoffs/new/{world_browser.tip.code}/")
    _hand_off(ivy)
    expect(ivy).to_have_url(tip_url)
    expect_success(ivy, f"Handed off to {ORG_NAME}.")
    handoffs = ivy.locator("section[aria-labelledby=handoffs-title]")
    expect(handoffs.get_by_role("link", name=ORG_NAME)).to_be_visible()
    expect(handoffs.locator(".handoff-status")).to_have_text("Waiting for the partner")

    lia = open_tab()
    sign_in_page(lia, live_server, world_browser.liaison)
    lia.get_by_role("navigation", name="Staff").get_by_role("link", name="Handoffs").click()
    expect(lia).to_have_url(f"{live_server.url}/handoffs/")
    rows = lia.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Waiting for the partner")
    rows.first.get_by_role("link").click()
    expect(lia.locator("#handoff-summary")).to_have_text(SUMMARY)
    expect(lia.locator("section[aria-labelledby=identity-title]")).to_contain_text(SAFE_CONTACT)
    lia.locator("#accept").click()
    expect_success(lia, "Accepted.")
    expect(lia.locator("#handoff-status")).to_have_text("Accepted")
    lia.get_by_label("Outcome").select_option(label="Services provided")
    lia.get_by_role("group", name="Services provided").get_by_label("Emergency shelter").check()
    # By name inside its form: the outcome note's id repeats the contact-attempt note's.
    outcome_form = lia.locator("form").filter(has=lia.locator("#record-outcome"))
    outcome_form.locator("textarea[name=note]").fill(LIAISON_NOTE)
    lia.locator("#confirm-close").check()  # closing asks for confirmation
    lia.locator("#record-outcome").click()
    expect_success(lia, "Outcome recorded")
    expect(lia.locator("#handoff-status")).to_have_text("Closed")
    expect(lia.locator("#handoff-outcome")).to_have_text("Services provided")
    expect(lia.locator("section[aria-labelledby=notes-title]")).to_contain_text(LIAISON_NOTE)

    ivy.reload()
    expect(handoffs.locator(".handoff-status")).to_have_text("Closed")
    expect(handoffs.locator(".handoff-outcome")).to_have_text("Services provided")
    expect(ivy.locator("body")).not_to_contain_text(LIAISON_NOTE)
    handoffs.get_by_role("link", name=ORG_NAME).click()
    expect(ivy.locator("#handoff-outcome")).to_have_text("Services provided")
    expect(ivy.locator("#handoff-summary")).to_have_text(SUMMARY)
    expect(ivy.locator("body")).not_to_contain_text(LIAISON_NOTE)

    handoff = Handoff.objects.get(tip=world_browser.tip)
    assert (handoff.status, handoff.outcome) == ("closed", "services_provided")
    assert handoff.services_provided == ["shelter"]
    assert handoff.services == ["counseling", "shelter"]
    assert (handoff.consent.method, handoff.consent.scope) == ("verbal", ["contact"])
