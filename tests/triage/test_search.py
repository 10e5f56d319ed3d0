"""Finding a tip: `?q=` on the queue by tip number, tip id or identifier (blind indexes, confirmed
by decryption, audited as a search), and tip numbers accepted as "duplicate of"."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from tests.readers import events, fresh
from tests.staff import sign_in
from tips.models import Identifier
from triage import search

API = "/api/v1/triage/tips/"


@pytest.fixture
def api(investigator):
    return sign_in(Client(), investigator)


@pytest.fixture
def tips(submit):
    """A tip with a phone in a field, one with it in free text, one with a plate only."""
    phone_field = submit(identifiers={"phones": ["(913) 555-0142"]})[0]
    phone_text = submit(description="Call 913.555.0142 for the girls", identifiers={})[0]
    plate = submit(description="A van", identifiers={"plates": ["MO QQ1"]})[0]
    return phone_field, phone_text, plate


def found(api, q):
    response = api.get(API, {"q": q})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_list_and_detail_items_carry_the_tip_number(api, tips):
    phone_field = tips[0]
    item = next(i for i in api.get(API).json()["results"] if i["id"] == str(phone_field.code))
    assert item["number"] == phone_field.number
    assert api.get(f"{API}{phone_field.code}/").json()["number"] == phone_field.number


def test_the_queue_finds_a_tip_by_its_number_as_people_type_it(api, tips):
    plate = tips[2]
    year, serial = plate.number.split("-")[1:]
    assert found(api, plate.number) == {str(plate.code)}
    assert found(api, f"{year}-{int(serial)}") == {str(plate.code)}
    assert found(api, f"t-{year}-{serial}") == {str(plate.code)}
    assert found(api, f"T-{year}-99999") == set()
    assert events(Action.TIPS_SEARCHED) == []  # a number is a plain lookup, nothing decrypted


def test_the_queue_finds_tips_by_a_phone_typed_in_any_format(api, tips):
    phone_field, phone_text, _plate = tips
    assert found(api, "+1 913 555 0142") == {str(phone_field.code), str(phone_text.code)}
    assert found(api, "mo-qq1") == {str(tips[2].code)}
    assert found(api, "816 555 0199") == set()


def test_an_identifier_search_is_audited_without_the_value(api, tips, investigator):
    found(api, "(913) 555-0142")

    [event] = events(Action.TIPS_SEARCHED)
    assert event.actor == str(investigator.pk)
    assert event.details["matches"] == 2 and "phone" in event.details["kinds"]
    assert "555" not in str(event.details)


def test_a_blind_index_collision_is_discarded_after_decryption(api, tips):
    phone_field, phone_text, plate = tips
    digest = Identifier.objects.filter(tip=phone_field, kind="phone").values_list(
        "digest", flat=True
    )[0]
    Identifier.objects.create(tip=plate, kind="phone", digest=digest)

    assert found(api, "913-555-0142") == {str(phone_field.code), str(phone_text.code)}
    [event] = events(Action.TIPS_SEARCHED)
    assert (event.details["candidates"], event.details["matches"]) == (3, 2)


def test_the_search_keeps_the_other_filters(api, tips, submit, investigator):
    phone_field, phone_text, _plate = tips
    from triage import actions

    actions.do_claim(phone_field, acting_user=investigator)
    assert found(api, "9135550142") == {str(phone_field.code), str(phone_text.code)}
    response = api.get(API, {"q": "9135550142", "status": "in_review"})
    assert [i["id"] for i in response.json()["results"]] == [str(phone_field.code)]


def test_there_is_no_plaintext_index_to_search():
    # The search reads tips.Identifier (kind and a 16-bit digest), nothing else.
    assert {f.name for f in Identifier._meta.get_fields()} == {"id", "tip", "kind", "digest"}
    assert search.readings("nothing here at all ###") == []


def test_the_queue_page_searches_and_shows_numbers(investigator, tips):
    client = sign_in(Client(), investigator)
    phone_field, phone_text, plate = tips

    page = client.get("/triage/", {"q": "913 555 0142"}).content.decode()

    assert phone_field.number in page and phone_text.number in page
    assert plate.number not in page
    assert "recorded in the audit log" in page
    assert len(events(Action.TIPS_SEARCHED)) == 1


def test_a_duplicate_may_be_named_by_its_number(api, tips, investigator):
    original, copy = tips[0], tips[1]
    api.post(f"{API}{copy.code}/claim/")

    response = api.post(
        f"{API}{copy.code}/transition/",
        {"to": "closed", "reason": "same phone", "close_reason": "duplicate",
         "duplicate_of": original.number},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert fresh(copy).duplicate_of == original


def test_an_unknown_duplicate_number_is_a_404(api, tips):
    copy = tips[1]
    api.post(f"{API}{copy.code}/claim/")

    response = api.post(
        f"{API}{copy.code}/transition/",
        {"to": "closed", "reason": "x", "close_reason": "duplicate",
         "duplicate_of": "T-1999-00001"},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 404
