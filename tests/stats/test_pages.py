"""`/triage/statistics/` and `/handoffs/statistics/`: charts and their tables, filters, audit."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit import Action
from audit.models import AuditEvent
from tests.staff import login_verified
from tests.stats.conftest import RANGE

TIPS, HANDOFFS = "/triage/statistics/", "/handoffs/statistics/"


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _table(html: str, chart_id: str) -> list[tuple[str, ...]]:
    figure = html.split(f'id="{chart_id}"', 1)[1].split("</figure>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", figure, re.S)
    return [tuple(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)) for row in rows]


def test_it_draws_each_chart_with_its_numbers(world, supervisor):
    response = _client(supervisor).get(TIPS, RANGE)

    assert response.status_code == 200
    html = response.text
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 11
    assert ("2026-06-08", "2", "0", "1", "1") in _table(html, "chart-tips-by-week")
    assert ("Olathe", "4") in _table(html, "chart-tips-by-area")
    assert ("Urgent", "2", "5 min", "10 min") in _table(html, "chart-time-to-claim")
    assert ("2026-06-08", "1", "2", "50%") in _table(html, "chart-within-service-level")
    assert ("Spam", "1") in _table(html, "chart-close-reasons")
    assert ("FBI field office", "1") in _table(html, "chart-referrals")
    assert ("Org-A", "2", "0", "0", "1", "1") in _table(html, "chart-handoffs-by-organization")
    assert ("Counseling", "2", "0") in _table(html, "chart-handoffs-by-service")
    assert ("Services provided", "1") in _table(html, "chart-handoffs-by-outcome")


def test_its_charts_carry_no_inline_style_or_script(world, supervisor):
    html = _client(supervisor).get(TIPS, RANGE).text
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)

    assert svgs
    for svg in svgs:
        assert "<style" not in svg and "<script" not in svg and "style=" not in svg
        assert 'role="img"' in svg and "aria-label=" in svg


def test_it_filters_by_area(world, supervisor):
    html = _client(supervisor).get(TIPS, {**RANGE, "area": "lenexa"}).text

    assert ("Lenexa", "2") in _table(html, "chart-tips-by-area")
    assert ("Olathe", "4") not in _table(html, "chart-tips-by-area")


def test_it_shows_errors_and_the_default_range_for_a_bad_one(world, supervisor):
    response = _client(supervisor).get(TIPS, {"from": "2026-06-10", "to": "2026-06-01"})

    assert response.status_code == 200
    assert "The end date is before the start date." in response.text


def test_it_audits_the_view_with_its_filters(world, supervisor):
    _client(supervisor).get(TIPS, {**RANGE, "category": "sex_trafficking"})

    [viewed] = AuditEvent.objects.filter(action=Action.STATISTICS_VIEWED)
    assert viewed.details == {
        "view": "triage",
        "from": "2026-06-01",
        "to": "2026-06-17",
        "area": "",
        "category": "sex_trafficking",
    }


def test_its_charts_and_tables_are_titled_in_spanish(world):
    from django.utils import translation

    from stats import presenting, reading
    from stats.access import Scope
    from tests.stats.test_numbers import JUNE

    data = reading.statistics(JUNE, Scope(None, tips=True, min_cell=None))
    with translation.override("es"):
        sections = [*presenting.tip_sections(data), presenting.handoff_section(data)]

    titles = [chart.title for section in sections for chart in section.charts]
    assert "Referencias por destino" in titles
    assert 'aria-label="Referencias por destino"' in sections[2].charts[1].svg


@pytest.mark.parametrize("url", [TIPS, HANDOFFS])
def test_it_refuses_investigators(url, investigator):
    assert _client(investigator).get(url).status_code == 403


def test_the_tip_page_refuses_liaisons(liaison_a):
    assert _client(liaison_a).get(TIPS).status_code == 403


@pytest.mark.parametrize("url", [TIPS, HANDOFFS])
def test_it_rejects_post(url, supervisor):
    assert _client(supervisor).post(url).status_code == 405


@pytest.mark.parametrize("url", [TIPS, HANDOFFS])
def test_it_requires_sign_in(url, client, db):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_every_id_on_the_page_is_unique(world, supervisor):
    html = _client(supervisor).get(TIPS, RANGE).text
    ids = re.findall(r' id="([^"]+)"', html)

    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("chosen", "start"),
    [("month", "2026-06-01"), ("ytd", "2026-01-01"), ("90d", "2026-03-20"), ("", "2026-03-20")],
)
def test_it_offers_preset_ranges(chosen, start, world, supervisor):
    # A preset wins over dates left in the form from the preset shown before.
    _client(supervisor).get(TIPS, {"range": chosen, "from": "2026-06-10", "to": "2026-06-11"}
                            if chosen else {})  # fmt: skip

    [viewed] = AuditEvent.objects.filter(action=Action.STATISTICS_VIEWED)
    assert (viewed.details["from"], viewed.details["to"]) == (start, "2026-06-17")
