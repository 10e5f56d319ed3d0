"""do_transition against the state machine: every (from, to) pair of statuses, both ways."""

from itertools import product

import pytest

from audit import Action
from portal import vault
from tests.readers import events, fresh
from tips.models import CloseReason, Status, Tip
from triage import actions, workflow
from triage.models import Change

PAIRS = list(product(Status.values, Status.values))
ALLOWED = [(a, b) for a, b in PAIRS if b in workflow.TRANSITIONS[a]]
# Closed back to review is a reopen: do_transition routes it to do_reopen (tested below).
REOPEN = (Status.CLOSED, Status.IN_REVIEW)
REFUSED = [(a, b) for a, b in PAIRS if b not in workflow.TRANSITIONS[a] and (a, b) != REOPEN]


def put(tip, status, assignee):
    """Setup only: place the tip in `status`, held by `assignee`."""
    close_reason = CloseReason.UNFOUNDED if status == Status.CLOSED else ""
    Tip.objects.filter(pk=tip.pk).update(
        status=status, assignee=assignee, close_reason=close_reason
    )


def move(tip, to, user, keys, reason="Checked the address"):
    close_reason = CloseReason.UNFOUNDED if to == Status.CLOSED else ""
    return actions.do_transition(
        tip, to, acting_user=user, reason=reason, unlocked=keys(user), close_reason=close_reason
    )


def test_it_knows_every_status():
    assert set(workflow.TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED, ids="-to-".join)
def test_it_makes_every_allowed_move(tip, investigator, keys, from_status, to_status):
    put(tip, from_status, investigator)

    move(tip, to_status, investigator, keys)

    assert fresh(tip).status == to_status


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED, ids="-to-".join)
def test_it_refuses_every_other_move(tip, investigator, keys, from_status, to_status):
    put(tip, from_status, investigator)

    with pytest.raises(actions.IllegalTransition):
        move(tip, to_status, investigator, keys)
    assert fresh(tip).status == from_status
    assert events(Action.TIP_TRANSITIONED, tip) == []


def test_it_leaves_new_only_by_a_claim_or_closing():
    assert (Status.NEW, Status.IN_REVIEW) in REFUSED
    assert (Status.NEW, Status.REFERRED) in REFUSED
    assert all((Status.CLOSED, to) in REFUSED for to in Status.values if to != Status.IN_REVIEW)


def test_it_routes_closed_to_review_to_the_reopen_decision(tip, investigator, supervisor, keys):
    put(tip, Status.CLOSED, investigator)

    with pytest.raises(actions.NotYours, match="Only supervisors reopen"):
        move(tip, Status.IN_REVIEW, investigator, keys)
    assert fresh(tip).status == Status.CLOSED

    move(tip, Status.IN_REVIEW, supervisor, keys)

    assert fresh(tip).status == Status.IN_REVIEW
    assert len(events(Action.TIP_REOPENED, tip)) == 1
    assert events(Action.TIP_TRANSITIONED, tip) == []


def test_it_refuses_an_unknown_status(tip, investigator, keys):
    put(tip, Status.IN_REVIEW, investigator)

    with pytest.raises(actions.IllegalTransition):
        move(tip, "archived", investigator, keys)


def test_it_needs_a_reason(tip, investigator, keys):
    put(tip, Status.IN_REVIEW, investigator)

    with pytest.raises(actions.Invalid):
        move(tip, Status.INVESTIGATING, investigator, keys, reason=" ")
    assert fresh(tip).status == Status.IN_REVIEW


def test_it_refuses_an_investigator_who_does_not_hold_the_tip(
    tip, investigator, other_investigator, keys
):
    put(tip, Status.IN_REVIEW, investigator)

    with pytest.raises(actions.NotYours):
        move(tip, Status.INVESTIGATING, other_investigator, keys)


def test_it_audits_from_and_to(tip, investigator, keys):
    put(tip, Status.IN_REVIEW, investigator)

    move(tip, Status.INVESTIGATING, investigator, keys)

    [event] = events(Action.TIP_TRANSITIONED, tip)
    change = Change.objects.get(tip=tip, kind=Change.Kind.TRANSITION)
    assert (event.details["from_status"], event.details["to_status"]) == (
        Status.IN_REVIEW,
        Status.INVESTIGATING,
    )
    assert event.details["change"] == change.pk


def test_it_records_a_change_row_with_the_sealed_reason(tip, investigator, keys):
    put(tip, Status.IN_REVIEW, investigator)

    move(tip, Status.INVESTIGATING, investigator, keys, reason="Van seen again on Pine")

    change = Change.objects.get(tip=tip, kind=Change.Kind.TRANSITION)
    assert (change.from_value, change.to_value) == (Status.IN_REVIEW, Status.INVESTIGATING)
    assert change.actor == investigator
    assert b"Pine" not in bytes(change.reason)
    key = vault.open_record_key(tip.vault_record, keys(investigator))
    assert key.decrypt(change.reason_field, bytes(change.reason)) == b"Van seen again on Pine"
