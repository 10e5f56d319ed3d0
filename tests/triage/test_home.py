"""The staff home starts the day: urgent tips waiting, my tips, tips with new tipster replies
(also marked in the queue), reveals awaiting my approval; its query count stays flat."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.staff import sign_in
from tips import actions as tip_actions
from triage import actions


@pytest.fixture
def home(investigator):
    client = sign_in(Client(), investigator)

    def show() -> str:
        return client.get("/staff/").content.decode()

    return show, client


def test_it_lists_urgent_tips_nobody_holds(home, submit, other_investigator):
    waiting = submit(immediate_danger="yes")[0]
    held = submit(immediate_danger="yes")[0]
    actions.do_claim(held, acting_user=other_investigator)
    show, _client = home

    html = show()

    section = html.split('id="urgent-waiting"')[1].split("</ul>")[0]
    assert waiting.number in section and held.number not in section


def test_it_lists_my_tips_and_marks_new_tipster_replies(home, submit, investigator, keys):
    mine = submit()[0]
    actions.do_claim(mine, acting_user=investigator)
    show, client = home
    client.get(f"/triage/tips/{mine.code}/")  # read: nothing new
    assert 'id="new-replies"' not in show()
    assert mine.number in show().split('id="my-tips"')[1]

    tip_actions.do_add_tipster_message(mine, "The van came back tonight.")

    html = show()
    assert mine.number in html.split('id="new-replies"')[1].split("</ul>")[0]
    queue = client.get("/triage/").content.decode()
    row = next(r for r in queue.split("<tr") if mine.number in r)
    assert "New reply" in row
    assert client.get("/api/v1/triage/tips/").json()["results"][0]["new_replies"] is True

    client.get(f"/triage/tips/{mine.code}/")  # reading it clears the marker
    assert 'id="new-replies"' not in show()
    assert "New reply" not in client.get("/triage/").content.decode()


def test_a_supervisor_sees_the_reveals_waiting_for_their_decision(
    submit, investigator, supervisor, keys, contact
):
    tip = submit(contact=contact)[0]
    actions.do_claim(tip, acting_user=investigator)
    actions.do_request_reveal(
        tip, "to call back about the van", acting_user=investigator, unlocked=keys(investigator)
    )

    html = sign_in(Client(), supervisor).get("/staff/").content.decode()

    section = html.split('id="reveals-to-decide"')[1].split("</ul>")[0]
    assert tip.number in section and investigator.username in section


def test_the_home_query_count_does_not_grow_with_the_tips(
    home, submit, investigator, django_assert_max_num_queries
):
    _show, client = home
    submit(immediate_danger="yes")
    with django_assert_max_num_queries(20) as baseline:
        client.get("/staff/")
    for _ in range(6):
        tip = submit(immediate_danger="yes")[0]
        actions.do_claim(submit()[0], acting_user=investigator)
        tip_actions.do_add_tipster_message(tip, "more")
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get("/staff/")
