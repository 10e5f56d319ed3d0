"""Contact details open through a stated reason and, by default, a second supervisor's approval."""

import pytest

from audit import Action
from tests.readers import events
from triage import access, actions, reading
from triage.models import ContactReveal

WHY = "The tipster asked to be called back about the van"


@pytest.fixture
def held(submit, contact, investigator):
    tip = submit(contact=contact)[0]
    return actions.do_claim(tip, acting_user=investigator)


def request_reveal(tip, user, keys):
    return actions.do_request_reveal(tip, WHY, acting_user=user, unlocked=keys(user))


def test_it_waits_for_approval_by_default(held, investigator, keys):
    reveal = request_reveal(held, investigator, keys)

    assert reveal.status == ContactReveal.Status.PENDING
    assert access.approved_reveal(held, investigator) is None
    assert b"van" not in bytes(reveal.reason)
    assert len(events(Action.CONTACT_REVEAL_REQUESTED, held)) == 1


def test_it_refuses_approving_your_own_request(held, supervisor, keys):
    reveal = request_reveal(held, supervisor, keys)

    with pytest.raises(actions.NotYours):
        actions.do_decide_reveal(reveal, approve=True, acting_user=supervisor)
    assert ContactReveal.objects.get().status == ContactReveal.Status.PENDING


def test_it_refuses_an_investigator_approving(held, investigator, other_investigator, keys):
    reveal = request_reveal(held, investigator, keys)

    with pytest.raises(actions.NotYours):
        actions.do_decide_reveal(reveal, approve=True, acting_user=other_investigator)


def test_it_opens_the_contact_once_another_supervisor_approves(
    held, investigator, supervisor, keys
):
    reveal = request_reveal(held, investigator, keys)
    actions.do_decide_reveal(reveal, approve=True, acting_user=supervisor)

    approved = access.approved_reveal(held, investigator)
    contact = reading.reveal_contact(approved, keys(investigator), actor=investigator)

    assert (contact["name"], contact["phone"]) == ("Ana Tester", "816 555 0100")
    [event] = events(Action.CONTACT_REVEALED, held)
    assert (event.actor, event.details) == (str(investigator.pk), {"reveal": str(reveal.code)})


def test_it_audits_the_approval(held, investigator, supervisor, keys):
    reveal = request_reveal(held, investigator, keys)

    actions.do_decide_reveal(reveal, approve=True, acting_user=supervisor)

    [event] = events(Action.CONTACT_REVEAL_APPROVED, held)
    assert event.actor == str(supervisor.pk)
    assert event.details == {"reveal": str(reveal.code), "approved": True}


def test_it_keeps_a_denied_request_closed(held, investigator, supervisor, keys):
    reveal = request_reveal(held, investigator, keys)

    denied = actions.do_decide_reveal(
        reveal,
        approve=False,
        acting_user=supervisor,
        reason="Not needed: the tipster can be reached by the thread",
        unlocked=keys(supervisor),
    )

    assert denied.status == ContactReveal.Status.DENIED
    assert access.approved_reveal(held, investigator) is None
    assert events(Action.CONTACT_REVEAL_APPROVED, held)[0].details["approved"] is False
    with pytest.raises(actions.IllegalTransition):
        actions.do_decide_reveal(reveal, approve=True, acting_user=supervisor)


@pytest.mark.parametrize("approve", [None, False])
def test_it_opens_nothing_without_an_approval(held, investigator, supervisor, keys, approve):
    reveal = request_reveal(held, investigator, keys)
    if approve is not None:
        reveal = actions.do_decide_reveal(
            reveal,
            approve=approve,
            acting_user=supervisor,
            reason="Not needed",
            unlocked=keys(supervisor),
        )

    with pytest.raises(actions.NotYours):
        reading.reveal_contact(reveal, keys(investigator), actor=investigator)
    assert events(Action.CONTACT_REVEALED, held) == []


def test_it_approves_at_once_without_the_four_eyes_rule(held, investigator, keys, settings):
    settings.TRIAGE_REVEAL_NEEDS_APPROVAL = False

    reveal = request_reveal(held, investigator, keys)

    assert (reveal.status, reveal.decided_by) == (ContactReveal.Status.APPROVED, investigator)
    assert access.approved_reveal(held, investigator) == reveal
    [event] = events(Action.CONTACT_REVEAL_APPROVED, held)
    assert event.details["four_eyes"] is False


def test_it_refuses_a_tip_without_contact_details(tip, investigator, keys):
    actions.do_claim(tip, acting_user=investigator)

    with pytest.raises(actions.Invalid):
        request_reveal(tip, investigator, keys)
    assert not ContactReveal.objects.exists()


def test_it_refuses_a_request_by_a_non_holder(held, other_investigator, keys):
    with pytest.raises(actions.NotYours):
        request_reveal(held, other_investigator, keys)


def test_it_opens_an_approval_only_for_its_requester(held, investigator, supervisor, keys):
    reveal = request_reveal(held, investigator, keys)
    approved = actions.do_decide_reveal(reveal, approve=True, acting_user=supervisor)

    with pytest.raises(actions.NotYours):
        reading.reveal_contact(approved, keys(supervisor), actor=supervisor)
    assert events(Action.CONTACT_REVEALED, held) == []


def test_a_denial_needs_a_reason_and_shows_it_to_the_requester(
    held, investigator, supervisor, keys
):
    from django.test import Client

    from tests.staff import sign_in

    reveal = request_reveal(held, investigator, keys)
    with pytest.raises(actions.Invalid):
        actions.do_decide_reveal(
            reveal, approve=False, acting_user=supervisor, reason=" ", unlocked=keys(supervisor)
        )
    assert ContactReveal.objects.get(pk=reveal.pk).status == ContactReveal.Status.PENDING

    boss = sign_in(Client(), supervisor)
    boss.post(f"/triage/reveals/{reveal.code}/deny/", {"reason": "Use the thread first"})

    denied = ContactReveal.objects.get(pk=reveal.pk)
    assert denied.status == ContactReveal.Status.DENIED
    assert b"Use the thread first" not in bytes(denied.denial_reason)  # sealed
    assert "Why: Use the thread first" in boss.get("/triage/reveals/").content.decode()


def test_a_supervisors_own_request_says_why_they_cannot_decide_it(held, supervisor, keys):
    from django.test import Client

    from tests.staff import sign_in

    request_reveal(held, supervisor, keys)

    html = sign_in(Client(), supervisor).get("/triage/reveals/").content.decode()

    assert "Your own request: the four-eyes rule needs another supervisor" in html


def test_the_navigation_counts_the_reveals_waiting_for_a_supervisor(
    held, investigator, supervisor, keys
):
    from django.test import Client

    from tests.staff import sign_in

    boss = sign_in(Client(), supervisor)
    nav = boss.get("/staff/").content.decode().split('id="nav-reveals"')[1].split("</a>")[0]
    assert "waiting for your decision" not in nav
    request_reveal(held, investigator, keys)

    nav = boss.get("/staff/").content.decode().split('id="nav-reveals"')[1].split("</a>")[0]

    assert '<span class="badge badge--new">1<span class="visually-hidden">' in nav
