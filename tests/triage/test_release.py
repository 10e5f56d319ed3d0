"""do_release: the holder or a supervisor puts a claimed tip back in the queue."""

import pytest

from audit import Action
from tests.readers import events, fresh
from tips.models import Status
from triage import actions
from triage.models import Change


def test_it_returns_the_holders_tip_to_the_queue_unassigned(tip, investigator):
    actions.do_claim(tip, acting_user=investigator)

    actions.do_release(tip, acting_user=investigator)

    released = fresh(tip)
    assert (released.status, released.assignee, released.claimed_at) == (Status.NEW, None, None)


def test_it_audits_the_release_with_its_change_row(tip, investigator):
    actions.do_claim(tip, acting_user=investigator)

    actions.do_release(tip, acting_user=investigator)

    [event] = events(Action.TIP_RELEASED, tip)
    change = Change.objects.get(tip=tip, kind=Change.Kind.RELEASE)
    assert event.details["change"] == change.pk
    assert (change.from_value, change.to_value) == (Status.IN_REVIEW, Status.NEW)


def test_it_lets_a_supervisor_release_someone_elses_tip(tip, investigator, supervisor):
    actions.do_claim(tip, acting_user=investigator)

    actions.do_release(tip, acting_user=supervisor)

    assert fresh(tip).assignee is None
    assert events(Action.TIP_RELEASED, tip)[0].actor == str(supervisor.pk)


def test_it_refuses_an_investigator_who_does_not_hold_the_tip(
    tip, investigator, other_investigator
):
    actions.do_claim(tip, acting_user=investigator)

    with pytest.raises(actions.NotYours):
        actions.do_release(tip, acting_user=other_investigator)
    assert fresh(tip).assignee == investigator
    assert events(Action.TIP_RELEASED, tip) == []


def test_it_lets_the_tip_be_claimed_again_after_release(tip, investigator, other_investigator):
    actions.do_claim(tip, acting_user=investigator)
    actions.do_release(tip, acting_user=investigator)

    actions.do_claim(tip, acting_user=other_investigator)

    assert fresh(tip).assignee == other_investigator


def test_it_refuses_to_release_a_tip_under_investigation(tip, investigator, keys):
    actions.do_claim(tip, acting_user=investigator)
    actions.do_transition(
        tip, Status.INVESTIGATING, acting_user=investigator, reason="Worth a look",
        unlocked=keys(investigator),
    )  # fmt: skip

    with pytest.raises(actions.IllegalTransition):
        actions.do_release(tip, acting_user=investigator)
    assert fresh(tip).status == Status.INVESTIGATING
