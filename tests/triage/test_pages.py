"""The triage pages: queue, tip page, and the one-click actions behind them."""

from __future__ import annotations

import pytest
from django.test import Client

from audit import Action
from tests.factories import image
from tests.readers import events, fresh
from tests.staff import sign_in


@pytest.fixture
def web(investigator):
    return sign_in(Client(), investigator)


def test_the_queue_lists_urgent_first_then_by_score(web, submit):
    low, _ = submit(immediate_danger="no", recency="unknown", location="", area="")
    urgent, _ = submit(immediate_danger="yes")

    page = web.get("/triage/").content.decode()

    assert page.index(str(urgent.code)) < page.index(str(low.code))
    assert "Someone in immediate danger" in page  # the reasons, in words


def test_the_queue_decrypts_nothing(web, submit, monkeypatch):
    submit()
    from portal.vault import records

    def refuse(*args, **kwargs):
        raise AssertionError("the queue must not open a data key")

    monkeypatch.setattr(records, "_open_from_wraps", refuse)

    assert web.get("/triage/").status_code == 200


def test_the_queue_filters_mine_and_unclaimed(web, submit, investigator):
    mine, _ = submit()
    other, _ = submit()
    web.post(f"/triage/tips/{mine.code}/claim/")

    page_mine = web.get("/triage/?mine=1").content.decode()
    page_unclaimed = web.get("/triage/?unclaimed=1").content.decode()

    assert str(mine.code) in page_mine and str(other.code) not in page_mine
    assert str(other.code) in page_unclaimed and str(mine.code) not in page_unclaimed


def test_the_queue_page_size_does_not_change_the_query_count(
    web, submit, django_assert_max_num_queries
):
    for _ in range(3):
        submit()
    with django_assert_max_num_queries(12) as few:
        web.get("/triage/")
    for _ in range(30):
        submit()
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get("/triage/")


def test_the_tip_page_shows_the_decrypted_tip_and_audits_it(web, tip):
    response = web.get(f"/triage/tips/{tip.code}/")

    assert response.status_code == 200
    assert "Men sleep in the warehouse" in response.content.decode()
    assert len(events(Action.TIP_VIEWED, tip)) == 1


def test_claim_then_message_then_close_in_one_click_each(web, tip):
    web.post(f"/triage/tips/{tip.code}/claim/")
    web.post(f"/triage/tips/{tip.code}/categorize/", {"category": "labor_trafficking"})
    web.post(f"/triage/tips/{tip.code}/messages/", {"body": "Which night is busiest?"})
    web.post(
        f"/triage/tips/{tip.code}/transition/",
        {"to": "closed", "close_reason": "insufficient_information", "reason": "No follow-up"},
    )

    tip = fresh(tip)
    assert tip.status == "closed" and tip.close_reason == "insufficient_information"
    assert tip.messages.count() == 1


def test_an_illegal_move_comes_back_as_a_message(web, tip):
    web.post(f"/triage/tips/{tip.code}/claim/")

    response = web.post(
        f"/triage/tips/{tip.code}/transition/", {"to": "referred", "reason": "x"}, follow=True
    )

    assert "cannot go from" in response.content.decode()
    assert fresh(tip).status == "in_review"


def test_someone_elses_claim_is_refused_with_a_clear_message(web, tip, other_investigator):
    from triage import actions

    actions.do_claim(tip, acting_user=other_investigator)

    response = web.post(f"/triage/tips/{tip.code}/claim/", follow=True)

    assert "already has this tip" in response.content.decode()


def test_the_contact_stays_sealed_until_a_supervisor_approves(
    web, submit, contact, supervisor, investigator
):
    tip, _ = submit(contact=contact)
    web.post(f"/triage/tips/{tip.code}/claim/")
    assert "Ana Tester" not in web.get(f"/triage/tips/{tip.code}/").content.decode()

    web.post(f"/triage/tips/{tip.code}/reveals/", {"reason": "Need to confirm the address"})
    assert web.get(f"/triage/tips/{tip.code}/contact/").status_code == 302
    boss = sign_in(Client(), supervisor)
    reveal = tip.reveals.get()
    assert "Need to confirm the address" in boss.get("/triage/reveals/").content.decode()
    boss.post(f"/triage/reveals/{reveal.code}/approve/")

    page = web.get(f"/triage/tips/{tip.code}/contact/").content.decode()
    assert "Ana Tester" in page
    assert len(events(Action.CONTACT_REVEALED, tip)) == 1


def test_a_minor_tip_shows_the_duty_and_the_prepared_summary(web, submit):
    tip, _ = submit(minor_involved="yes")

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()
    summary = web.get(f"/triage/tips/{tip.code}/minor-summary/").content.decode()

    assert "K.S.A. 38-2223" in page and "RSMo 210.115" in page
    assert "CyberTipline" in summary and "Men sleep in the warehouse" in summary


def test_a_referral_makes_a_printable_packet_without_the_tipster(web, submit, contact):
    tip, _ = submit(contact=contact)
    web.post(f"/triage/tips/{tip.code}/claim/")
    web.post(f"/triage/tips/{tip.code}/referrals/", {"destination": "hsi", "reason": "Visas"})

    referral = tip.referrals.get()
    packet = web.get(f"/triage/tips/{tip.code}/referrals/{referral.code}/").content.decode()

    assert "Homeland Security Investigations" in packet and "Visas" in packet
    assert "Ana Tester" not in packet
    assert len(events(Action.REFERRAL_CREATED, tip)) == 1


def test_attachments_download_decrypted_with_safe_headers(web, submit):
    from tips.attachments import clean_upload

    cleaned = clean_upload("van.png", image("red", (8, 8), format="PNG").getvalue())
    tip, _ = submit(attachments=(cleaned,))
    row = tip.attachments.get()

    response = web.get(f"/triage/tips/{tip.code}/attachments/{row.code}/")

    assert b"".join(response.streaming_content) == cleaned.data
    assert response["Content-Disposition"] == 'attachment; filename="van.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(events(Action.ATTACHMENT_DOWNLOADED, tip)) == 1


def test_a_liaison_cannot_reach_the_queue_or_a_tip(liaison_a, tip):
    client = sign_in(Client(), liaison_a)

    assert client.get("/triage/").status_code == 403
    assert client.get(f"/triage/tips/{tip.code}/").status_code == 403


def test_the_tip_page_shows_the_audit_trail(web, tip):
    web.post(f"/triage/tips/{tip.code}/claim/")

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()

    assert "Tip submitted" in page and "Tip claimed" in page


def test_a_file_added_with_a_reply_is_listed_and_downloads(web, submit, private_storage):
    from tips import followup
    from tips.attachments import clean_upload

    cleaned = clean_upload("later.png", image("blue", (8, 8), format="PNG").getvalue())
    tip, receipt = submit()
    followup.add_information(receipt, "One more photo.", [cleaned])
    row = tip.attachments.get()

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()
    download = web.get(f"/triage/tips/{tip.code}/attachments/{row.code}/")

    assert "later.png" in page and "added later with a tipster reply" in page
    assert b"".join(download.streaming_content) == cleaned.data
    assert download["Content-Disposition"] == 'attachment; filename="later.png"'
