"""do_reopen: only a supervisor, only a closed tip; back into review without its close reason."""

import pytest

from audit import Action
from tests.readers import events, fresh
from tips.models import CloseReason, Status
from triage import actions
from triage.models import Change


@pytest.fixture
def closed(tip, investigator, keys):
    actions.do_claim(tip, acting_user=investigator)
    return actions.do_transition(
        tip, Status.CLOSED, acting_user=investigator, reason="Nothing there",
        unlocked=keys(investigator), close_reason=CloseReason.UNFOUNDED,
    )  # fmt: skip


def reopen(tip, user, keys, reason="New information came in"):
    return actions.do_reopen(tip, acting_user=user, reason=reason, unlocked=keys(user))


def test_it_reopens_a_closed_tip_into_review(closed, supervisor, investigator, keys):
    reopen(closed, supervisor, keys)

    reopened = fresh(closed)
    assert (reopened.status, reopened.close_reason) == (Status.IN_REVIEW, "")
    assert reopened.assignee == investigator


def test_it_audits_the_reopening_with_its_change_row(closed, supervisor, keys):
    reopen(closed, supervisor, keys)

    [event] = events(Action.TIP_REOPENED, closed)
    change = Change.objects.get(tip=closed, kind=Change.Kind.REOPEN)
    assert event.actor == str(supervisor.pk)
    assert event.details["change"] == change.pk
    assert b"information" not in bytes(change.reason)


def test_it_refuses_an_investigator_even_the_holder(closed, investigator, keys):
    with pytest.raises(actions.NotYours):
        reopen(closed, investigator, keys)
    assert fresh(closed).status == Status.CLOSED


def test_it_refuses_a_tip_that_is_not_closed(tip, supervisor, keys):
    with pytest.raises(actions.IllegalTransition):
        reopen(tip, supervisor, keys)
    assert fresh(tip).status == Status.NEW
    assert events(Action.TIP_REOPENED, tip) == []


def test_it_needs_a_reason(closed, supervisor, keys):
    with pytest.raises(actions.Invalid):
        reopen(closed, supervisor, keys, reason="")
    assert fresh(closed).status == Status.CLOSED


def test_it_clears_the_original_of_a_reopened_duplicate(submit, supervisor, keys):
    original, tip = submit()[0], submit()[0]
    actions.do_transition(
        tip, Status.CLOSED, acting_user=supervisor, reason="Same van", unlocked=keys(supervisor),
        close_reason=CloseReason.DUPLICATE, duplicate_of=original,
    )  # fmt: skip

    reopen(tip, supervisor, keys)

    reopened = fresh(tip)
    assert (reopened.duplicate_of, reopened.assignee) == (None, supervisor)
