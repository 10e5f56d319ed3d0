"""The retention interface: `retention` in the tip detail, review and hold over the API with
the error shape, the tip page's forms, the supervisors' policy page and the queue filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from audit import Action
from tests.readers import events, fresh
from tests.retention.conftest import T0
from tests.staff import sign_in
from triage import actions

API = "/api/v1/triage/tips/"


@pytest.fixture
def claimed(submit, investigator):
    return actions.do_claim(submit()[0], acting_user=investigator)


def test_the_detail_carries_the_retention_state(clock, claimed, investigator, close):
    api = sign_in(Client(), investigator)

    state = api.get(f"{API}{claimed.code}/").json()["retention"]

    assert state == {
        "purge_after": None,
        "review_due": (T0 + timedelta(days=365)).isoformat().replace("+00:00", "Z"),
        "hold": False,
    }
    close(claimed, "spam")
    closed = api.get(f"{API}{claimed.code}/").json()["retention"]
    assert closed["purge_after"] == (T0 + timedelta(days=30)).isoformat().replace("+00:00", "Z")


def test_a_review_over_the_api_starts_a_new_period(clock, claimed, investigator):
    clock.move_to(T0 + timedelta(days=100), tick=False)
    api = sign_in(Client(), investigator)

    response = api.post(
        f"{API}{claimed.code}/review/", {"reason": "Active case"}, "application/json"
    )

    assert response.status_code == 200
    assert fresh(claimed).review_due == T0 + timedelta(days=465)
    assert events(Action.TIP_REVIEWED, claimed)


def test_a_review_without_a_reason_is_a_400_naming_the_field(claimed, investigator):
    api = sign_in(Client(), investigator)

    response = api.post(f"{API}{claimed.code}/review/", {}, "application/json")

    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_a_supervisor_places_and_releases_a_hold_over_the_api(claimed, supervisor):
    api = sign_in(Client(), supervisor)

    placed = api.post(f"{API}{claimed.code}/hold/", {"reason": "Litigation"}, "application/json")
    twice = api.post(f"{API}{claimed.code}/hold/", {"reason": "Again"}, "application/json")
    released = api.delete(f"{API}{claimed.code}/hold/", {"reason": "Over"}, "application/json")
    again = api.delete(f"{API}{claimed.code}/hold/", {"reason": "Over"}, "application/json")

    assert placed.status_code == 200 and placed.json()["retention"]["hold"] is True
    assert twice.status_code == 409 and twice.json()["error"]["message"]
    assert released.status_code == 200 and released.json()["retention"]["hold"] is False
    assert again.status_code == 409
    assert events(Action.TIP_HOLD_PLACED, claimed) and events(Action.TIP_HOLD_RELEASED, claimed)


def test_an_investigator_may_not_place_a_hold(claimed, investigator):
    api = sign_in(Client(), investigator)

    response = api.post(f"{API}{claimed.code}/hold/", {"reason": "Mine"}, "application/json")

    assert response.status_code == 403
    assert not fresh(claimed).hold


def test_the_tip_page_shows_the_state_and_the_forms(claimed, supervisor, keys):
    from retention import actions as retention

    retention.do_place_hold(claimed, "Grand jury 4411", acting_user=supervisor,
                            unlocked=keys(supervisor))  # fmt: skip
    page = sign_in(Client(), supervisor).get(f"/triage/tips/{claimed.code}/").content.decode()

    assert 'id="retention-review-due"' in page and "Grand jury 4411" in page
    assert "Release legal hold" in page and "Record review" in page


def test_the_page_forms_review_and_hold(claimed, supervisor):
    boss = sign_in(Client(), supervisor)

    boss.post(f"/triage/tips/{claimed.code}/review/", {"reason": "Still open"})
    boss.post(f"/triage/tips/{claimed.code}/hold/", {"reason": "Subpoena"})

    assert events(Action.TIP_REVIEWED, claimed)
    assert fresh(claimed).hold


def test_the_policy_page_lists_the_periods_for_supervisors(supervisor, investigator, settings):
    settings.RETENTION_SPAM_DAYS = 7

    page = sign_in(Client(), supervisor).get("/triage/retention/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "RETENTION_SPAM_DAYS" in body and '(days after closing)">7</td>' in body
    assert "RETENTION_RESOLVED_DAYS" in body and '(days after closing)">1825</td>' in body
    assert sign_in(Client(), investigator).get("/triage/retention/").status_code == 403


def test_the_queue_filters_purges_due_within_30_days(clock, submit, close, investigator):
    soon = close(submit()[0], "spam")
    later = close(submit()[0], "unfounded")
    api = sign_in(Client(), investigator)

    due = {item["id"] for item in api.get(API, {"purge_due": "1"}).json()["results"]}
    page = api.get("/triage/", {"purge_due": "1"}).content.decode()

    assert due == {str(soon.code)}
    assert str(soon.code) in page and str(later.code) not in page
