"""Closing: a close reason, duplicates name their original, a minor needs the mandated report."""

import pytest

from audit import Action
from tests.readers import events, fresh
from tips.models import CloseReason, Status
from triage import actions
from triage.models import Link, MinorReport


@pytest.fixture
def held(submit, investigator):
    def make(**overrides):
        tip = submit(**overrides)[0]
        return actions.do_claim(tip, acting_user=investigator)

    return make


def close(tip, user, keys, close_reason, duplicate_of=None):
    return actions.do_transition(
        tip, Status.CLOSED, acting_user=user, reason="Done here", unlocked=keys(user),
        close_reason=close_reason, duplicate_of=duplicate_of,
    )  # fmt: skip


@pytest.mark.parametrize("close_reason", ["", "finished"])
def test_it_needs_a_known_close_reason(held, investigator, keys, close_reason):
    tip = held()

    with pytest.raises(actions.Invalid):
        close(tip, investigator, keys, close_reason)
    assert fresh(tip).status == Status.IN_REVIEW


def test_it_stores_the_close_reason(held, investigator, keys):
    tip = held()

    close(tip, investigator, keys, CloseReason.UNFOUNDED)

    closed = fresh(tip)
    assert (closed.status, closed.close_reason) == (Status.CLOSED, CloseReason.UNFOUNDED)
    assert events(Action.TIP_TRANSITIONED, tip)[0].details["close_reason"] == "unfounded"


def test_it_needs_the_original_of_a_duplicate(held, investigator, keys):
    tip = held()

    with pytest.raises(actions.Invalid):
        close(tip, investigator, keys, CloseReason.DUPLICATE)
    with pytest.raises(actions.Invalid):
        close(tip, investigator, keys, CloseReason.DUPLICATE, duplicate_of=tip)


def test_it_links_a_duplicate_to_its_original(submit, held, investigator, keys):
    original = submit()[0]
    tip = held()

    close(tip, investigator, keys, CloseReason.DUPLICATE, duplicate_of=original)

    assert fresh(tip).duplicate_of == original
    link = Link.objects.get()
    assert (link.tip, link.other, link.kind) == (original, tip, Link.Kind.DUPLICATE)
    [event] = events(Action.TIP_LINKED, tip)
    assert event.details == {"other": str(original.code), "kind": "duplicate"}


def test_it_refuses_to_resolve_a_minors_tip_without_the_report(held, investigator, keys):
    tip = held(minor_involved="yes")

    with pytest.raises(actions.MinorReportMissing):
        close(tip, investigator, keys, CloseReason.RESOLVED)
    assert fresh(tip).status == Status.IN_REVIEW


def test_it_resolves_a_minors_tip_once_the_report_is_recorded(held, investigator, keys):
    tip = held(minor_involved="yes")
    actions.do_record_minor_report(
        tip, MinorReport.Agency.KANSAS_DCF, "DCF-2026-0042", acting_user=investigator,
        unlocked=keys(investigator),
    )  # fmt: skip

    close(tip, investigator, keys, CloseReason.RESOLVED)

    assert fresh(tip).close_reason == CloseReason.RESOLVED
    assert len(events(Action.MINOR_REPORT_RECORDED, tip)) == 1
    assert b"0042" not in bytes(MinorReport.objects.get(tip=tip).reference)


def test_it_closes_a_minors_tip_as_spam_without_the_report(held, investigator, keys):
    tip = held(minor_involved="yes")

    close(tip, investigator, keys, CloseReason.SPAM)

    assert fresh(tip).status == Status.CLOSED


def test_it_closes_a_minors_tip_as_duplicate_without_the_report(submit, held, investigator, keys):
    original = submit(minor_involved="yes")[0]
    tip = held(minor_involved="yes")

    close(tip, investigator, keys, CloseReason.DUPLICATE, duplicate_of=original)

    assert fresh(tip).close_reason == CloseReason.DUPLICATE
