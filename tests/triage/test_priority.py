"""do_categorize and do_reprioritize: the holder overrides; what was computed stays on record."""

import pytest

from audit import Action
from tests.readers import events, fresh
from tips.models import PriorityLevel, Tip
from triage import actions
from triage.models import Change


def reprioritize(tip, level, user, keys, reason="Children seen at the address"):
    return actions.do_reprioritize(tip, level, acting_user=user, reason=reason, unlocked=keys(user))


def test_it_changes_the_category_but_keeps_what_the_tipster_chose(held, investigator, keys):
    actions.do_categorize(
        held, "sex_trafficking", acting_user=investigator, unlocked=keys(investigator)
    )

    tip = fresh(held)
    assert (tip.category, tip.what) == ("sex_trafficking", "labor_trafficking")
    [event] = events(Action.TIP_CATEGORIZED, tip)
    assert (event.details["from_category"], event.details["to_category"]) == (
        "labor_trafficking",
        "sex_trafficking",
    )


def test_it_refuses_categorizing_by_a_non_holder(held, other_investigator, keys):
    with pytest.raises(actions.NotYours):
        actions.do_categorize(
            held, "other", acting_user=other_investigator, unlocked=keys(other_investigator)
        )
    assert fresh(held).category == "labor_trafficking"


def test_it_refuses_an_unknown_category(held, investigator, keys):
    with pytest.raises(actions.Invalid):
        actions.do_categorize(held, "arson", acting_user=investigator, unlocked=keys(investigator))


def test_it_overrides_the_level_and_its_queue_rank(held, investigator, keys):
    assert held.priority_level != PriorityLevel.URGENT

    reprioritize(held, PriorityLevel.URGENT, investigator, keys)

    tip = fresh(held)
    assert (tip.priority_level, tip.level_rank) == (PriorityLevel.URGENT, 0)


@pytest.mark.parametrize(("level", "rank"), [("urgent", 0), ("high", 1), ("normal", 2), ("low", 3)])
def test_it_keeps_level_rank_in_step_with_the_level(tip, supervisor, keys, level, rank):
    Tip.objects.filter(pk=tip.pk).update(priority_level="low" if level == "urgent" else "urgent")

    reprioritize(tip, level, supervisor, keys)

    assert (fresh(tip).priority_level, fresh(tip).level_rank) == (level, rank)


def test_it_keeps_the_computed_score_level_and_reasons(held, investigator, keys):
    before = (held.priority_score, held.computed_level, held.priority_reasons)

    reprioritize(held, PriorityLevel.LOW, investigator, keys)

    tip = fresh(held)
    assert (tip.priority_score, tip.computed_level, tip.priority_reasons) == before


def test_it_needs_a_reason_to_reprioritize(held, investigator, keys):
    with pytest.raises(actions.Invalid):
        reprioritize(held, PriorityLevel.URGENT, investigator, keys, reason="")
    assert fresh(held).priority_level == held.priority_level


def test_it_refuses_reprioritizing_by_a_non_holder(held, other_investigator, keys):
    with pytest.raises(actions.NotYours):
        reprioritize(held, PriorityLevel.URGENT, other_investigator, keys)
    assert fresh(held).priority_level == held.priority_level


def test_it_audits_the_override_with_a_sealed_reason(held, investigator, keys):
    reprioritize(held, PriorityLevel.URGENT, investigator, keys)

    [event] = events(Action.TIP_REPRIORITIZED, held)
    change = Change.objects.get(tip=held, kind=Change.Kind.REPRIORITIZE)
    assert (event.details["from_level"], event.details["to_level"]) == (
        held.priority_level,
        "urgent",
    )
    assert (event.details["change"], change.to_value) == (change.pk, "urgent")
    assert b"Children" not in bytes(change.reason)
