"""The statistics page in a real browser: charts drawn with JavaScript off, no CSP report, and
no accessibility violation (axe-core)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browsing import sign_in_page
from tests.stats.conftest import make_handoff, make_tip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def some_tips(supervisor, investigator, liaison_a):
    from partners.models import Organization

    now = timezone.now()
    org = Organization.objects.get(slug="org-a")
    shown = (
        (1, "sex_trafficking", "urgent"),
        (8, "labor_trafficking", "high"),
        (15, "other", "low"),
    )
    for days, category, level in shown:
        tip = make_tip(now - timedelta(days=days), category, "olathe", level, claimed_after=10)
    make_handoff(tip, org, now - timedelta(days=14), investigator, services=["shelter"])


def _open(browser, live_server, user, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    sign_in_page(page, live_server, user)
    page.goto(f"{live_server.url}/triage/statistics/")
    return context, page, violations


def test_the_charts_render_without_javascript(browser, live_server, some_tips, supervisor):
    context, page, violations = _open(browser, live_server, supervisor, javascript=False)
    try:
        charts = page.locator("svg.pygal-chart")
        expect(charts).to_have_count(11)
        expect(page.get_by_role("img", name="Tips by area")).to_be_visible()
        box = page.get_by_role("img", name="Tips by area").bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        # The bars are drawn: pygal's rectangles with a size.
        assert page.locator("#chart-tips-by-area rect.rect").count() >= 1
        page.locator("#chart-tips-by-area-caption ~ details summary").click()
        expect(page.get_by_role("table", name="Tips by area")).to_contain_text("Olathe")
        assert violations == []
    finally:
        context.close()


def test_the_page_passes_axe(browser, live_server, some_tips, supervisor):
    context, page, violations = _open(browser, live_server, supervisor, javascript=True)
    try:
        for summary in page.locator("details summary").all():
            summary.click()  # the tables too
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert violations == []
    finally:
        context.close()
