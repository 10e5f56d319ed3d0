"""`/api/v1/triage/`: the contract of docs/interfaces.md, over a session and over a bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from tests.readers import events, fresh
from tests.staff import STAFF_PASSWORD, sign_in, totp_now

API = "/api/v1/triage/tips/"


@pytest.fixture
def api(investigator):
    return sign_in(Client(), investigator)


def test_the_queue_answers_the_documented_items(api, submit):
    tip, _ = submit(immediate_danger="yes")

    body = api.get(API).json()

    item = body["results"][0]
    assert item["id"] == str(tip.code)
    assert {"id", "status", "category", "priority", "priority_reasons", "created_at",
            "assignee"} <= set(item)  # fmt: skip
    assert item["priority_level"] == "urgent" and body["next"] is None
    assert "description" not in str(item)


def test_the_queue_pages_with_a_cursor_and_filters(api, submit):
    for _ in range(5):
        submit()

    first = api.get(API, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    codes = [t["id"] for page in (first, second, third) for t in page["results"]]
    assert len(codes) == len(set(codes)) == 5
    assert third["next"] is None
    assert api.get(API, {"status": "closed"}).json()["results"] == []


def test_the_queue_refuses_unknown_filter_values(api):
    response = api.get(API, {"status": "lost", "cursor": "x"})

    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_the_queue_query_count_does_not_grow_with_the_page(
    api, submit, django_assert_max_num_queries
):
    submit()
    with django_assert_max_num_queries(12) as baseline:
        api.get(API)
    for _ in range(25):
        submit()
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert len(api.get(API).json()["results"]) == 26


def test_the_detail_is_decrypted_and_audited(api, tip):
    body = api.get(f"{API}{tip.code}/").json()

    assert body["content"]["description"].startswith("Men sleep in the warehouse")
    assert "contact" not in body["content"]
    assert len(events(Action.TIP_VIEWED, tip)) == 1


def test_patch_changes_category_and_level_and_keeps_the_score(api, tip):
    api.post(f"{API}{tip.code}/claim/")

    response = api.patch(
        f"{API}{tip.code}/",
        {
            "category": "sex_trafficking",
            "priority_level": "urgent",
            "reason": "Same van as last week",
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    after = fresh(tip)
    assert (after.category, after.priority_level) == ("sex_trafficking", "urgent")
    assert (after.priority_score, after.computed_level) == (tip.priority_score, tip.computed_level)


def test_a_claim_held_by_someone_else_is_409(api, tip, other_investigator):
    sign_in(Client(), other_investigator).post(f"{API}{tip.code}/claim/")

    response = api.post(f"{API}{tip.code}/claim/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_an_illegal_transition_is_409_and_a_missing_reason_400(api, tip):
    api.post(f"{API}{tip.code}/claim/")

    illegal = api.post(
        f"{API}{tip.code}/transition/", {"to": "referred", "reason": "x"}, "application/json"
    )
    no_reason = api.post(
        f"{API}{tip.code}/transition/", {"to": "investigating"}, "application/json"
    )

    assert illegal.status_code == 409
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]


def test_writing_a_tip_you_do_not_hold_is_403(api, tip):
    response = api.post(
        f"{API}{tip.code}/transition/", {"to": "closed", "reason": "x"}, "application/json"
    )

    assert response.status_code == 403


def test_notes_and_messages_are_lists_of_results(api, tip):
    api.post(f"{API}{tip.code}/claim/")
    api.post(f"{API}{tip.code}/notes/", {"body": "Check the plate"}, "application/json")
    sent = api.post(f"{API}{tip.code}/messages/", {"body": "Thanks, when?"}, "application/json")

    notes = api.get(f"{API}{tip.code}/notes/").json()["results"]
    messages = api.get(f"{API}{tip.code}/messages/").json()["results"]

    assert sent.status_code == 201
    assert [(n["body"], n["author"]) for n in notes] == [("Check the plate", "ivy-investigator")]
    assert [(m["body"], m["sender"]) for m in messages] == [("Thanks, when?", "investigator")]
    assert {"id", "at"} <= set(notes[0]) and {"id", "at"} <= set(messages[0])


def test_related_names_the_shared_identifier(api, submit):
    first, _ = submit(identifiers={"phones": ["(913) 555-0142"]})
    second, _ = submit(description="Call 913.555.0142 for the rooms", identifiers={})

    results = api.get(f"{API}{first.code}/related/").json()["results"]

    assert [r["id"] for r in results] == [str(second.code)]
    assert results[0]["shared"] == [{"kind": "phone", "value": "+19135550142"}]


def test_a_bearer_token_works_and_unlocks_the_vault(investigator, tip):
    login = Client().post(
        "/api/v1/auth/login/",
        {"username": investigator.username, "password": STAFF_PASSWORD,
         "otp_token": totp_now(investigator)},
        content_type="application/json",
    )  # fmt: skip
    token = login.json()["token"]
    client = Client(headers={"authorization": f"Bearer {token}"})

    body = client.get(f"{API}{tip.code}/").json()

    assert body["content"]["description"].startswith("Men sleep")
