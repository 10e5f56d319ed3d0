"""`GET /api/v1/statistics/`: the JSON behind the pages, its filters, errors and access."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from audit.models import AuditEvent
from tests.staff import login_verified
from tests.stats.conftest import RANGE

URL = "/api/v1/statistics/"


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_it_answers_the_four_parts_to_a_supervisor(world, supervisor):
    response = _client(supervisor).get(URL, RANGE)

    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"tips", "triage", "outcomes", "handoffs"}
    assert body["tips"]["total"] == 6
    assert body["tips"]["by_week"][0] == {
        "week": "2026-06-01",
        "count": 3,
        "by_category": {**dict.fromkeys(body["tips"]["by_week"][0]["by_category"], 0),
                        "sex_trafficking": 3},
    }  # fmt: skip
    assert body["triage"]["time_to_claim_minutes"]["median"] == 10
    assert body["handoffs"]["with_consent"]["count"] == 1
    [viewed] = AuditEvent.objects.filter(action=Action.STATISTICS_VIEWED)
    assert viewed.details["view"] == "api" and viewed.details["from"] == "2026-06-01"


def test_it_filters_by_category(world, supervisor):
    body = _client(supervisor).get(URL, {**RANGE, "category": "labor_trafficking"}).json()

    assert body["tips"]["total"] == 2
    assert body["outcomes"]["referrals"]["city_vice"] == 1
    assert body["outcomes"]["referrals"]["fbi"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-06-01"}, "from"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "to"),
        ({"from": "2026-06-10"}, "to"),
        ({"from": "2000-01-01", "to": "2026-06-01"}, "to"),
        ({"area": "atlantis"}, "area"),
        ({"category": "nothing"}, "category"),
        ({"to": ""}, "to"),
        ({"area": ""}, "area"),
    ],
)
def test_it_names_the_bad_field(params, field, supervisor):
    response = _client(supervisor).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_it_refuses_investigators(investigator):
    response = _client(investigator).get(URL)

    assert response.status_code == 403
    assert "error" in response.json()


def test_it_requires_credentials(client, db):
    assert client.get(URL).status_code in (401, 403)
