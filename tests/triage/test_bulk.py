"""Bulk actions: `POST /api/v1/triage/tips/bulk/` and the queue's bulk form. Each tip goes
through the same action, access rule and audit entry as one by one."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from audit import Action
from tests.readers import events, fresh
from tests.staff import sign_in
from tips.models import Status
from triage import actions

BULK = "/api/v1/triage/tips/bulk/"


@pytest.fixture
def junk(submit):
    return [submit(description=f"buy cheap watches {n}")[0] for n in range(3)]


def post(client, body):
    return client.post(BULK, body, content_type="application/json")


def test_an_investigator_closes_unclaimed_junk_in_one_request(investigator, junk):
    api = sign_in(Client(), investigator)

    response = post(
        api,
        {"ids": [str(t.code) for t in junk], "action": "close", "close_reason": "spam",
         "reason": "advertising"},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["results"] == [
        {"id": str(t.code), "ok": True, "error": None} for t in junk
    ]
    for tip in junk:
        after = fresh(tip)
        assert (after.status, after.close_reason, after.assignee) == (
            "closed",
            "spam",
            investigator,
        )
        # Claimed, then closed: the same two entries as one by one.
        assert len(events(Action.TIP_CLAIMED, tip)) == 1
        [moved] = events(Action.TIP_TRANSITIONED, tip)
        assert moved.details["to_status"] == "closed"


def test_each_tip_answers_for_itself(investigator, other_investigator, junk, submit):
    mine, taken, minor = junk[0], junk[1], submit(minor_involved="yes")[0]
    actions.do_claim(taken, acting_user=other_investigator)
    api = sign_in(Client(), investigator)
    missing = "00000000-0000-4000-8000-000000000000"

    response = post(
        api,
        {"ids": [str(mine.code), str(taken.code), str(minor.code), missing],
         "action": "close", "close_reason": "unfounded", "reason": "not a case"},
    )  # fmt: skip

    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, False, False]
    assert "Claim this tip first" in results[1]["error"]
    assert "minor" in results[2]["error"]
    assert results[3] == {"id": missing, "ok": False, "error": "No such tip."}
    assert fresh(taken).status == Status.IN_REVIEW and fresh(taken).assignee == other_investigator
    # The refused close undid its claim: the minor's tip is back in the queue, unclaimed.
    assert fresh(minor).assignee is None and fresh(minor).status == Status.NEW
    assert events(Action.TIP_CLAIMED, minor) == []


def test_a_supervisor_assigns_and_categorizes_in_bulk(supervisor, investigator, junk):
    api = sign_in(Client(), supervisor)
    ids = [str(t.code) for t in junk]

    assigned = post(api, {"ids": ids, "action": "assign", "assignee": investigator.username,
                          "reason": "your area"})  # fmt: skip
    categorized = post(api, {"ids": ids, "action": "categorize", "category": "not_trafficking"})

    assert all(r["ok"] for r in assigned.json()["results"])
    assert all(r["ok"] for r in categorized.json()["results"])
    for tip in junk:
        assert fresh(tip).assignee == investigator and fresh(tip).category == "not_trafficking"
        assert len(events(Action.TIP_ASSIGNED, tip)) == 1
        assert len(events(Action.TIP_CATEGORIZED, tip)) == 1


def test_an_investigator_may_not_assign_in_bulk(investigator, junk):
    api = sign_in(Client(), investigator)

    response = post(api, {"ids": [str(junk[0].code)], "action": "assign",
                          "assignee": investigator.username, "reason": "me"})  # fmt: skip

    assert response.status_code == 403
    assert events(Action.TIP_ASSIGNED) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "close", "close_reason": "spam", "reason": "x"}, "ids"),
        ({"ids": [], "action": "close", "close_reason": "spam", "reason": "x"}, "ids"),
        ({"ids": ["not-a-uuid"], "action": "close", "close_reason": "spam", "reason": "x"}, "ids"),
        ({"ids": ["00000000-0000-4000-8000-000000000000"], "action": "burn"}, "action"),
        ({"ids": ["00000000-0000-4000-8000-000000000000"], "action": "close",
          "close_reason": "lost", "reason": "x"}, "close_reason"),
        ({"ids": ["00000000-0000-4000-8000-000000000000"], "action": "close",
          "close_reason": "duplicate", "reason": "x"}, "close_reason"),
        ({"ids": ["00000000-0000-4000-8000-000000000000"], "action": "close",
          "close_reason": "spam", "reason": 0}, "reason"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(investigator, body, field):
    response = post(sign_in(Client(), investigator), body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"action": "close", "reason": "x"}, "Closing needs a reason"),
        ({"action": "close", "close_reason": "spam"}, "Please give a reason"),
        ({"action": "categorize"}, "Unknown category"),
    ],
)
def test_what_an_action_lacks_is_answered_per_tip_and_changes_nothing(
    investigator, junk, body, says
):
    response = post(sign_in(Client(), investigator), {"ids": [str(junk[0].code)], **body})

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["ok"] is False and says in result["error"]
    after = fresh(junk[0])
    assert (after.status, after.assignee) == ("new", None)  # the claim was undone too
    assert events(Action.TIP_CLAIMED, junk[0]) == []


def test_the_queue_bulk_form_closes_the_selected_tips(investigator, junk):
    client = sign_in(Client(), investigator)
    page = client.get("/triage/").content.decode()
    assert 'form="bulk"' in page and 'id="bulk"' in page

    response = client.post(
        "/triage/tips/bulk/",
        {"ids": [str(junk[0].code), str(junk[1].code)], "action": "close",
         "close_reason": "spam", "reason": "advertising", "back": "unclaimed=1"},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"] == "/triage/?unclaimed=1"
    assert [fresh(t).status for t in junk] == ["closed", "closed", "new"]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Closed 2 of 2 tips." in shown


def test_the_bulk_form_reports_each_refusal_by_tip_number(investigator, submit):
    minor = submit(minor_involved="yes")[0]
    client = sign_in(Client(), investigator)

    response = client.post(
        "/triage/tips/bulk/",
        {"ids": [str(minor.code)], "action": "close", "close_reason": "unfounded",
         "reason": "no"},
    )  # fmt: skip

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Closed 0 of 1 tips." in shown
    assert any(m.startswith(f"{fresh(minor).number}: ") for m in shown)
    assert fresh(minor).status == Status.NEW
