"""A liaison's `/handoffs/statistics/` and API answer: their organization's handoffs only,
small numbers protected, never a tip statistic."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.staff import login_verified
from tests.stats.conftest import RANGE

PAGE, API = "/handoffs/statistics/", "/api/v1/statistics/"


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_it_shows_only_their_organization(world, liaison_a, settings):
    settings.STATISTICS_MIN_CELL = 1  # every count shown, to see whose they are
    handoffs = _client(liaison_a).get(API, RANGE).json()["handoffs"]

    assert handoffs["by_organization"].keys() == {"org-a"}
    assert handoffs["total"] == 2
    # org-b's handoff asked for counseling too; it is not counted here.
    assert handoffs["by_service"]["requested"]["counseling"] == 1


def test_it_never_gives_tip_statistics(world, liaison_a):
    body = _client(liaison_a).get(API, RANGE).json()
    html = _client(liaison_a).get(PAGE, RANGE).text

    assert body.keys() == {"handoffs"}
    assert "chart-tips-by-week" not in html and "Org-B" not in html


def test_it_protects_small_numbers(world, liaison_a):
    handoffs = _client(liaison_a).get(API, RANGE).json()["handoffs"]
    html = _client(liaison_a).get(PAGE, RANGE).text

    assert handoffs["total"] == "<5"
    assert handoffs["by_status"]["declined"] == "<5"
    assert handoffs["by_status"]["pending"] == 0  # nothing to protect in a zero
    assert handoffs["with_consent"] == {"count": "<5", "share": None}
    assert handoffs["time_to_accept_minutes"] == {"median": None, "p90": None, "count": "<5"}
    assert "fewer than 5" in html


def test_a_supervisor_sees_every_organization_unprotected(world, supervisor):
    html = _client(supervisor).get(PAGE, RANGE).text

    assert "Org-A" in html and "Org-B" in html
    assert "fewer than" not in html
    assert "chart-tips-by-week" not in html


@pytest.mark.parametrize("other", ["liaison_b"])
def test_another_liaison_sees_only_theirs(world, other, request, settings):
    settings.STATISTICS_MIN_CELL = 1
    user = request.getfixturevalue(other)

    handoffs = _client(user).get(API, RANGE).json()["handoffs"]

    assert handoffs["by_organization"].keys() == {"org-b"}
    assert handoffs["total"] == 1
