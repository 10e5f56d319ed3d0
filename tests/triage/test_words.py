"""Words, not codes, on the staff pages: areas, indicators and history in the reader's words;
the area filter takes a name as people type it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.staff import sign_in
from triage import actions

API = "/api/v1/triage/tips/"


@pytest.fixture
def client(investigator):
    return sign_in(Client(), investigator)


def test_the_area_filter_takes_the_name_in_any_case(client, submit):
    olathe = submit(area="olathe")[0]
    submit(area="kansas_city_ks")

    for typed in ("olathe", "Olathe", "OLATHE "):
        ids = [item["id"] for item in client.get(API, {"area": typed}).json()["results"]]
        assert ids == [str(olathe.code)], typed


def test_the_queue_shows_area_names_not_codes(client, submit):
    submit(area="kansas_city_ks")

    html = client.get("/triage/").content.decode()
    row = html.split("<tbody>")[1]

    assert "Kansas City, KS" in row and "kansas_city_ks" not in row.split("</tbody>")[0]


def test_the_tip_page_says_indicators_and_history_in_words(client, submit, investigator, keys):
    tip = submit(indicators=frozenset({"controlled_by_other"}))[0]
    actions.do_claim(tip, acting_user=investigator)
    actions.do_transition(
        tip, "investigating", acting_user=investigator, reason="plate", unlocked=keys(investigator)
    )

    html = client.get(f"/triage/tips/{tip.code}/").content.decode()

    assert "Someone else seems to speak for them or control where they go" in html
    assert "controlled_by_other" not in html
    history = html.split('id="history-title"')[1].split("</ol>")[0]
    assert "Status changed: In review → Investigating" in history
    assert "in_review" not in history


def test_no_area_filter_keeps_every_area(client, submit):
    submit(area="olathe")
    submit(area="")

    assert len(client.get(API, {"area": ""}).json()["results"]) == 2
