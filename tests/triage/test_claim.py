"""do_claim: the only way out of `new`; one claim wins, a second claim by the holder is a no-op."""

import threading

import pytest
from django.db import connection

from audit import Action
from tests.databases import postgres_only
from tests.readers import events, fresh
from tips.models import Status, Tip
from triage import actions
from triage.models import Change


def test_it_puts_an_unclaimed_tip_in_review_with_the_claimer_as_assignee(tip, investigator):
    actions.do_claim(tip, acting_user=investigator)

    claimed = fresh(tip)
    assert (claimed.status, claimed.assignee) == (Status.IN_REVIEW, investigator)
    assert claimed.claimed_at is not None


def test_it_audits_the_claim_once_with_its_change_row(tip, investigator):
    actions.do_claim(tip, acting_user=investigator)

    [event] = events(Action.TIP_CLAIMED, tip)
    change = Change.objects.get(tip=tip, kind=Change.Kind.CLAIM)
    assert event.actor == str(investigator.pk)
    assert event.details["change"] == change.pk
    assert (change.from_value, change.to_value) == (Status.NEW, Status.IN_REVIEW)


def test_it_is_idempotent_for_the_holder(tip, investigator):
    actions.do_claim(tip, acting_user=investigator)
    again = actions.do_claim(tip, acting_user=investigator)

    assert again.assignee == investigator
    assert len(events(Action.TIP_CLAIMED, tip)) == 1
    assert Change.objects.filter(tip=tip).count() == 1


def test_it_refuses_a_tip_another_investigator_holds(tip, investigator, other_investigator):
    actions.do_claim(tip, acting_user=investigator)

    with pytest.raises(actions.AlreadyClaimed, match=investigator.username):
        actions.do_claim(tip, acting_user=other_investigator)
    assert fresh(tip).assignee == investigator
    assert len(events(Action.TIP_CLAIMED, tip)) == 1


def test_it_refuses_a_closed_tip(tip, investigator, supervisor, keys):
    actions.do_transition(
        tip, Status.CLOSED, acting_user=supervisor, reason="Spam", unlocked=keys(supervisor),
        close_reason="spam",
    )  # fmt: skip

    with pytest.raises(actions.IllegalTransition):
        actions.do_claim(tip, acting_user=investigator)
    assert fresh(tip).status == Status.CLOSED
    assert events(Action.TIP_CLAIMED, tip) == []


@postgres_only("a real row lock needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_racing_claims_win(tip, investigator, other_investigator):
    start = threading.Barrier(2)  # both claims start at the same moment, no sleeps
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def claim(user) -> None:
        try:
            start.wait(timeout=30)
            actions.do_claim(Tip.objects.get(pk=tip.pk), acting_user=user)
            won.append(user.username)
        except actions.AlreadyClaimed:
            lost.append(user.username)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=claim, args=(u,)) for u in (investigator, other_investigator)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert (len(won), len(lost)) == (1, 1)
    assert fresh(tip).assignee.username == won[0]
    assert len(events(Action.TIP_CLAIMED, tip)) == 1
