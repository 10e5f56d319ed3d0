"""Contact attempts, notes and the outcome: the liaison's words stay with the organization; the
task force gets the status and a non-identifying outcome code."""

from __future__ import annotations

import pytest

from audit import Action
from handoffs import actions, reading
from handoffs.models import Activity, Outcome, Status
from portal import vault
from tests.readers import events, fresh

NOTE = "She asked us not to call her cousin; placed in room 4 at the east house."


@pytest.fixture
def accepted(hand_off, org_a, liaison_a):
    return actions.do_accept(hand_off(org_a), acting_user=liaison_a)


def test_it_records_a_contact_attempt(accepted, liaison_a):
    activity = actions.do_record_contact_attempt(accepted, "phone", NOTE, acting_user=liaison_a)

    assert (activity.kind, activity.method, activity.author) == (
        "contact_attempt",
        "phone",
        liaison_a,
    )
    assert NOTE.encode() not in bytes(activity.body)
    [attempt] = events(Action.HANDOFF_CONTACT_ATTEMPT, accepted)
    assert attempt.details == {"method": "phone"}


def test_it_refuses_a_contact_attempt_before_acceptance(hand_off, org_a, liaison_a):
    with pytest.raises(actions.WrongState):
        actions.do_record_contact_attempt(hand_off(org_a), "phone", "", acting_user=liaison_a)
    with pytest.raises(actions.Invalid):
        actions.do_record_contact_attempt(hand_off(org_a), "pigeon", "", acting_user=liaison_a)


def test_it_closes_with_an_outcome(accepted, liaison_a):
    actions.do_record_outcome(
        accepted, "services_provided", services_provided=("shelter",), acting_user=liaison_a
    )

    row = fresh(accepted)
    assert (row.status, row.outcome) == (Status.CLOSED, Outcome.SERVICES_PROVIDED)
    assert row.services_provided == ["shelter"] and row.closed_at is not None
    [outcome] = events(Action.HANDOFF_OUTCOME, accepted)
    assert outcome.details == {"outcome": "services_provided", "services_provided": ["shelter"]}
    assert len(events(Action.HANDOFF_CLOSED, accepted)) == 1
    with pytest.raises(actions.WrongState):
        actions.do_record_outcome(row, "contacted", acting_user=liaison_a)


def test_it_requires_the_services_provided(accepted, liaison_a):
    with pytest.raises(actions.Invalid, match="which services"):
        actions.do_record_outcome(accepted, "services_provided", acting_user=liaison_a)
    with pytest.raises(actions.Invalid):
        actions.do_record_outcome(accepted, "rescued", acting_user=liaison_a)

    assert fresh(accepted).status == Status.ACCEPTED


def test_it_refuses_an_outcome_before_acceptance(hand_off, org_a, liaison_a):
    with pytest.raises(actions.WrongState):
        actions.do_record_outcome(hand_off(org_a), "contacted", acting_user=liaison_a)


def test_it_seals_notes_to_the_organization_only(accepted, liaison_a, investigator, keys):
    actions.do_add_note(accepted, NOTE, acting_user=liaison_a)
    actions.do_record_outcome(
        accepted, "contacted", note="Met at the clinic", acting_user=liaison_a
    )

    notes = reading.open_handoff(fresh(accepted), keys(liaison_a), actor=liaison_a).notes
    assert [note.body for note in notes] == [NOTE, "Met at the clinic"]
    assert reading.open_handoff(fresh(accepted), keys(investigator), actor=investigator).notes == []
    for activity in Activity.objects.filter(handoff=accepted):
        with pytest.raises(vault.NoDeskAccess):
            vault.open_record_key(activity.vault_record, keys(investigator))
    assert len(events(Action.HANDOFF_NOTE_ADDED, accepted)) == 1


def test_it_refuses_an_empty_note_or_another_organization(accepted, liaison_a, liaison_b):
    with pytest.raises(actions.Invalid):
        actions.do_add_note(accepted, "   ", acting_user=liaison_a)
    with pytest.raises(actions.NotYours):
        actions.do_add_note(accepted, NOTE, acting_user=liaison_b)
    with pytest.raises(actions.NotYours):
        actions.do_record_outcome(accepted, "contacted", acting_user=liaison_b)

    assert not Activity.objects.exists()
