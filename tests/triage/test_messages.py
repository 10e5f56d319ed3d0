"""Messages to the tipster: sealed to both the desk and the tipster's receipt key."""

import pytest

from audit import Action
from tests.readers import events
from tips import followup
from tips.models import Message, Tip
from triage import actions, reading

BODY = "Thank you. Is the white van still parked there at night?"


def test_it_reaches_the_tipster_through_their_receipt(submit, investigator):
    tip, receipt = submit()

    actions.do_message_tipster(tip, BODY, acting_user=investigator)

    thread = followup.read_thread(receipt)
    assert [(m.sender, m.body) for m in thread.messages] == [("investigator", BODY)]


def test_it_is_read_by_the_desk(tip, investigator, other_investigator, keys):
    actions.do_message_tipster(tip, BODY, acting_user=investigator)

    [entry] = reading.read_thread(tip, keys(other_investigator))

    assert (entry.body, entry.sender, entry.author) == (BODY, "investigator", investigator.username)


def test_it_interleaves_the_tipsters_replies(submit, investigator, keys):
    tip, receipt = submit()
    actions.do_message_tipster(tip, BODY, acting_user=investigator)
    followup.add_information(receipt, "Yes, every night after ten.")

    entries = reading.read_messages(tip, keys(investigator), actor=investigator)

    assert [(e.sender, e.author) for e in entries] == [
        ("investigator", investigator.username),
        ("tipster", ""),
    ]
    assert events(Action.MESSAGES_VIEWED, tip)[0].details == {"messages": 2}


def test_it_seals_the_message(tip, investigator):
    message = actions.do_message_tipster(tip, BODY, acting_user=investigator)

    assert b"van" not in bytes(Message.objects.get(pk=message.pk).body)


def test_it_audits_the_message_by_code_only(tip, investigator):
    message = actions.do_message_tipster(tip, BODY, acting_user=investigator)

    [event] = events(Action.MESSAGE_SENT, tip)
    assert (event.actor, event.details) == (str(investigator.pk), {"message": str(message.code)})


def test_it_refuses_an_empty_message(tip, investigator):
    with pytest.raises(actions.Invalid):
        actions.do_message_tipster(tip, " ", acting_user=investigator)
    assert not Message.objects.exists()


def test_it_refuses_a_purged_tip(tip, investigator):
    Tip.objects.filter(pk=tip.pk).update(purged_at=tip.created_at)
    tip.refresh_from_db()

    with pytest.raises(actions.IllegalTransition):
        actions.do_message_tipster(tip, BODY, acting_user=investigator)
    assert events(Action.MESSAGE_SENT, tip) == []


def test_it_leaves_other_tipsters_threads_alone(submit, investigator):
    tip, _receipt = submit()
    _other, other_receipt = submit()
    actions.do_message_tipster(tip, BODY, acting_user=investigator)

    assert followup.read_thread(other_receipt).messages == []
