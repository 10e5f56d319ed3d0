"""Urgent tips: escalation to supervisors past the service-level time, and the outbox sweep
that delivers a notice no nudge delivered.

Time is frozen with time-machine; the mail goes to Django's locmem outbox."""

import datetime as dt

import pytest
from django.core import mail

from audit import Action
from portal import outbox
from portal.models import User
from tests.readers import events, fresh
from triage import actions

T0 = dt.datetime(2026, 3, 2, 22, 0, tzinfo=dt.UTC)
DESCRIPTION = "A girl is locked in room 214 at the Starlite Motel right now"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def supervisors(supervisor, other_supervisor, make_staff):
    make_staff("sid-no-email", "supervisor")
    User.objects.filter(pk=supervisor.pk).update(email="sam@example.org")
    User.objects.filter(pk=other_supervisor.pk).update(email="sue@example.org")
    retired = make_staff("rex-retired", "supervisor")
    User.objects.filter(pk=retired.pk).update(email="rex@example.org", is_active=False)
    return ["sam@example.org", "sue@example.org"]


@pytest.fixture
def urgent(clock, submit):
    tip = submit(description=DESCRIPTION, immediate_danger="yes")[0]
    assert tip.is_urgent and tip.sla_due_at == T0 + dt.timedelta(minutes=30)
    return tip


def test_it_mails_the_active_supervisors_once_the_sla_has_passed(
    urgent, supervisors, clock, committed
):
    clock.move_to(T0 + dt.timedelta(minutes=31))

    assert committed(actions.do_escalate_overdue) == 1

    [message] = mail.outbox
    assert sorted(message.to) == supervisors


def test_it_keeps_the_mail_content_free(urgent, supervisors, clock, committed):
    clock.move_to(T0 + dt.timedelta(minutes=31))

    committed(actions.do_escalate_overdue)

    [message] = mail.outbox
    text = message.subject + message.body
    assert "Starlite" not in text and "214" not in text
    assert str(urgent.code) not in text and str(urgent.code).split("-")[0] not in text


def test_it_marks_and_audits_the_escalation(urgent, supervisors, clock, committed):
    clock.move_to(T0 + dt.timedelta(minutes=31))

    committed(actions.do_escalate_overdue)

    assert fresh(urgent).escalated_at == T0 + dt.timedelta(minutes=31)
    [event] = events(Action.URGENT_ESCALATED, urgent)
    assert (event.actor, event.details) == ("system", {"recipients": 2})


def test_it_escalates_a_tip_only_once(urgent, supervisors, clock, committed):
    clock.move_to(T0 + dt.timedelta(minutes=31))
    committed(actions.do_escalate_overdue)
    clock.move_to(T0 + dt.timedelta(hours=2))

    assert committed(actions.do_escalate_overdue) == 0
    assert len(mail.outbox) == 1
    assert len(events(Action.URGENT_ESCALATED, urgent)) == 1


def test_it_leaves_a_tip_that_is_not_yet_due(urgent, supervisors, clock, committed):
    clock.move_to(T0 + dt.timedelta(minutes=29))

    assert committed(actions.do_escalate_overdue) == 0
    assert mail.outbox == []
    assert fresh(urgent).escalated_at is None


def test_it_leaves_a_claimed_tip(urgent, supervisors, investigator, clock, committed):
    actions.do_claim(urgent, acting_user=investigator)
    clock.move_to(T0 + dt.timedelta(minutes=31))

    assert committed(actions.do_escalate_overdue) == 0
    assert mail.outbox == []


def test_it_leaves_a_tip_that_is_not_urgent(clock, submit, supervisors, committed):
    tip = submit()[0]
    clock.move_to(tip.sla_due_at + dt.timedelta(days=1))

    assert committed(actions.do_escalate_overdue) == 0
    assert fresh(tip).escalated_at is None


@pytest.fixture
def on_call(investigator):
    User.objects.filter(pk=investigator.pk).update(email="ivy@example.org", on_call=True)
    return "ivy@example.org"


def test_it_notifies_an_urgent_tip_whose_notice_never_went_out(urgent, on_call, clock, settings):
    # The tip's outbox job was committed with it, but no nudge ran (a broker outage): the
    # sweeper delivers the notification, and then the mail it calls for.
    assert fresh(urgent).urgent_notified_at is None
    grace = dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    clock.move_to(T0 + grace)

    assert outbox.sweep() == 1
    clock.move_to(T0 + 2 * grace)
    assert outbox.sweep() == 1

    [message] = mail.outbox
    assert message.to == [on_call]
    assert "Starlite" not in message.body
    assert fresh(urgent).urgent_notified_at == T0 + grace
    assert len(events(Action.URGENT_NOTIFIED, urgent)) == 1


def test_it_notifies_a_missed_tip_only_once(urgent, on_call, clock, settings):
    for minutes in (1, 2, 3):
        clock.move_to(T0 + dt.timedelta(minutes=minutes))
        outbox.sweep()

    assert outbox.sweep() == 0
    assert len(mail.outbox) == 1


def test_it_waits_out_the_grace_period_before_sweeping(urgent, on_call, clock, settings):
    clock.move_to(T0 + dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS - 1))

    assert outbox.sweep() == 0
    assert mail.outbox == []
