"""do_assign: supervisors assign and reassign, with a reason sealed under the tip's data key."""

import pytest

from audit import Action
from portal import vault
from tests.readers import events, fresh
from tips.models import Status
from triage import actions
from triage.models import Change

REASON = "Oscar speaks Spanish with the witness in Olathe"


def assign(tip, to, by, keys, reason=REASON):
    return actions.do_assign(tip, assignee=to, acting_user=by, reason=reason, unlocked=keys(by))


def test_it_assigns_an_unclaimed_tip(tip, investigator, supervisor, keys):
    assign(tip, investigator, supervisor, keys)

    assigned = fresh(tip)
    assert (assigned.status, assigned.assignee) == (Status.ASSIGNED, investigator)


def test_it_reassigns_a_claimed_tip(tip, investigator, other_investigator, supervisor, keys):
    actions.do_claim(tip, acting_user=investigator)

    assign(tip, other_investigator, supervisor, keys)

    change = Change.objects.get(tip=tip, kind=Change.Kind.ASSIGN)
    assert fresh(tip).assignee == other_investigator
    assert (change.from_value, change.to_value) == (investigator.username, "oscar-investigator")


def test_it_seals_the_reason_so_only_the_desk_reads_it(tip, investigator, supervisor, keys):
    assign(tip, investigator, supervisor, keys)

    change = Change.objects.get(tip=tip, kind=Change.Kind.ASSIGN)
    sealed = bytes(change.reason)
    assert b"Spanish" not in sealed
    key = vault.open_record_key(tip.vault_record, keys(investigator))
    assert key.decrypt(change.reason_field, sealed).decode() == REASON


def test_it_audits_the_assignment(tip, investigator, supervisor, keys):
    assign(tip, investigator, supervisor, keys)

    [event] = events(Action.TIP_ASSIGNED, tip)
    assert event.actor == str(supervisor.pk)
    assert event.details["assignee"] == investigator.username
    assert REASON not in bytes(event.canon).decode()


def test_it_needs_a_reason(tip, investigator, supervisor, keys):
    with pytest.raises(actions.Invalid):
        assign(tip, investigator, supervisor, keys, reason="   ")
    assert fresh(tip).assignee is None


def test_it_refuses_an_investigator_assigning(tip, investigator, other_investigator, keys):
    with pytest.raises(actions.NotYours):
        assign(tip, other_investigator, investigator, keys)
    assert fresh(tip).assignee is None


@pytest.mark.parametrize("persona", ["liaison_a", "admin_user"])
def test_it_refuses_to_assign_outside_the_task_force(request, persona, tip, supervisor, keys):
    outsider = request.getfixturevalue(persona)

    with pytest.raises(actions.Invalid):
        assign(tip, outsider, supervisor, keys)
    assert fresh(tip).assignee is None
    assert events(Action.TIP_ASSIGNED, tip) == []
