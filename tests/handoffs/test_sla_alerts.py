"""do_alert_overdue with a frozen clock: the organization's liaisons first, the investigator
later, each once; the mail says nothing about the person, the tip or the handoff."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit import Action
from handoffs import actions
from portal.models import User
from tests.factories import SUMMARY
from tests.readers import events

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def people(liaison_a, liaison_b, investigator, make_staff):
    """Who has an address: the two organizations' liaisons, a disabled liaison of A, the
    investigator. A second liaison of A has none."""
    make_staff("lin-a", "liaison", "org-a")
    retired = make_staff("ret-a", "liaison", "org-a")
    for user, email in ((liaison_a, "lia@a.example"), (liaison_b, "lee@b.example"),
                        (retired, "ret@a.example"), (investigator, "ivy@tf.example")):  # fmt: skip
        User.objects.filter(pk=user.pk).update(email=email)
    User.objects.filter(pk=retired.pk).update(is_active=False)


@pytest.fixture
def pending(people, hand_off, org_a, time_machine, settings):
    settings.HANDOFF_ACCEPT_MINUTES = 60
    settings.HANDOFF_INVESTIGATOR_ALERT_MINUTES = 120
    time_machine.move_to(START, tick=False)
    return hand_off(org_a)


def _assert_content_free(message, handoff) -> None:
    text = f"{message.subject}\n{message.body}"
    for secret in (SUMMARY, str(handoff.code), str(handoff.tip.code), "Adult woman"):
        assert secret not in text


def test_it_waits_until_the_handoff_is_due(pending, time_machine, committed):
    time_machine.shift(timedelta(minutes=59))

    assert committed(actions.do_alert_overdue) == 0
    assert mail.outbox == []


def test_it_alerts_the_organizations_liaisons_once(pending, time_machine, committed):
    time_machine.shift(timedelta(minutes=60))

    assert committed(actions.do_alert_overdue) == 1
    assert committed(actions.do_alert_overdue) == 0
    [message] = mail.outbox
    assert message.to == ["lia@a.example"]
    _assert_content_free(message, pending)
    [alerted] = events(Action.HANDOFF_ALERTED, pending)
    assert (alerted.actor, alerted.details) == ("system", {"who": "liaisons", "recipients": 1})


def test_it_alerts_the_investigator_later_once(pending, time_machine, committed):
    time_machine.shift(timedelta(minutes=60))
    committed(actions.do_alert_overdue)
    time_machine.shift(timedelta(minutes=119))
    assert committed(actions.do_alert_overdue) == 0

    time_machine.shift(timedelta(minutes=1))
    assert committed(actions.do_alert_overdue) == 1
    assert committed(actions.do_alert_overdue) == 0

    assert [m.to for m in mail.outbox] == [["lia@a.example"], ["ivy@tf.example"]]
    _assert_content_free(mail.outbox[1], pending)
    alerted = events(Action.HANDOFF_ALERTED, pending)
    assert [event.details["who"] for event in alerted] == ["liaisons", "investigator"]


def test_an_accepted_handoff_alerts_nobody(pending, liaison_a, time_machine, committed):
    actions.do_accept(pending, acting_user=liaison_a)
    time_machine.shift(timedelta(days=3))

    assert committed(actions.do_alert_overdue) == 0
    assert mail.outbox == []
    assert events(Action.HANDOFF_ALERTED) == []


def test_accepting_after_the_first_alert_stops_the_second(
    pending, liaison_a, time_machine, committed
):
    time_machine.shift(timedelta(minutes=60))
    committed(actions.do_alert_overdue)
    actions.do_accept(pending, acting_user=liaison_a)
    time_machine.shift(timedelta(days=1))

    assert committed(actions.do_alert_overdue) == 0
    assert len(mail.outbox) == 1
