"""do_accept and do_decline: only the organization's liaisons, only while the handoff waits."""

from __future__ import annotations

import pytest

from audit import Action
from handoffs import actions, reading
from handoffs.models import Status
from tests.readers import events, fresh

REASON = "We have no Spanish-speaking counselor this month; try Casa Segura."


@pytest.fixture
def handoff(hand_off, org_a):
    """Anonymous: no consent, nothing identifying."""
    return hand_off(org_a)


def test_it_accepts_a_waiting_handoff(handoff, liaison_a):
    actions.do_accept(handoff, acting_user=liaison_a)

    row = fresh(handoff)
    assert row.status == Status.ACCEPTED
    assert row.responded_by == liaison_a and row.accepted_at is not None
    [accepted] = events(Action.HANDOFF_ACCEPTED, handoff)
    assert accepted.actor == str(liaison_a.pk)


def test_it_accepts_twice_without_a_second_audit_row(handoff, liaison_a):
    first = actions.do_accept(handoff, acting_user=liaison_a)
    second = actions.do_accept(handoff, acting_user=liaison_a)

    assert second.accepted_at == first.accepted_at
    assert len(events(Action.HANDOFF_ACCEPTED, handoff)) == 1


def test_it_refuses_to_accept_a_declined_handoff(handoff, liaison_a, keys):
    actions.do_decline(handoff, REASON, acting_user=liaison_a, unlocked=keys(liaison_a))

    with pytest.raises(actions.WrongState):
        actions.do_accept(handoff, acting_user=liaison_a)
    assert events(Action.HANDOFF_ACCEPTED, handoff) == []


@pytest.mark.parametrize("who", ["liaison_b", "investigator", "supervisor"])
def test_only_the_organizations_liaison_answers(handoff, request, who, keys):
    user = request.getfixturevalue(who)

    with pytest.raises(actions.NotYours):
        actions.do_accept(handoff, acting_user=user)
    with pytest.raises(actions.NotYours):
        actions.do_decline(handoff, REASON, acting_user=user, unlocked=keys(user))
    assert fresh(handoff).status == Status.PENDING


def test_it_declines_with_a_reason_the_investigator_reads(handoff, liaison_a, investigator, keys):
    actions.do_decline(handoff, f"  {REASON}  ", acting_user=liaison_a, unlocked=keys(liaison_a))

    row = fresh(handoff)
    assert (row.status, row.responded_by) == (Status.DECLINED, liaison_a)
    assert REASON.encode() not in bytes(row.decline_reason)
    view = reading.open_handoff(row, keys(investigator), actor=investigator)
    assert view.decline_reason == REASON
    [declined] = events(Action.HANDOFF_DECLINED, handoff)
    assert declined.actor == str(liaison_a.pk)
    assert REASON not in str(declined.entry)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_it_requires_a_reason_to_decline(handoff, liaison_a, keys, reason):
    with pytest.raises(actions.Invalid):
        actions.do_decline(handoff, reason, acting_user=liaison_a, unlocked=keys(liaison_a))

    assert fresh(handoff).status == Status.PENDING


def test_it_refuses_to_decline_an_accepted_handoff(handoff, liaison_a, keys):
    actions.do_accept(handoff, acting_user=liaison_a)

    with pytest.raises(actions.WrongState):
        actions.do_decline(handoff, REASON, acting_user=liaison_a, unlocked=keys(liaison_a))
    assert events(Action.HANDOFF_DECLINED, handoff) == []
