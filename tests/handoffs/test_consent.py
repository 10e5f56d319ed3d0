"""Revoking or expiring consent removes the organization's wrap of the identity at once, while
the task force keeps its copy."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from audit import Action
from handoffs import actions, reading
from handoffs.models import Consent
from portal.vault.models import WrappedKey
from tests.factories import SAFE_CONTACT, SUMMARY, consent
from tests.readers import events, fresh

START = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(0))


def _org_wraps(handoff) -> int:
    return WrappedKey.objects.filter(
        record_type="handoffs.identity", record_id=str(handoff.code), desk__slug="org-a"
    ).count()


@pytest.mark.parametrize("who", ["investigator", "liaison_a"])
def test_it_withdraws_the_identity_from_the_organization(handoff, request, who, keys):
    liaison_a, investigator = (request.getfixturevalue(n) for n in ("liaison_a", "investigator"))
    actor = request.getfixturevalue(who)
    assert _org_wraps(handoff) == 1

    entry = actions.do_revoke_consent(handoff, acting_user=actor)

    assert (entry.ended_because, entry.revoked_by) == ("revoked", actor)
    assert _org_wraps(handoff) == 0
    seen = reading.open_handoff(fresh(handoff), keys(liaison_a), actor=liaison_a)
    assert (seen.identity, seen.identity_withdrawn, seen.summary) == ({}, True, SUMMARY)
    kept = reading.open_handoff(fresh(handoff), keys(investigator), actor=investigator)
    assert (kept.identity, kept.identity_withdrawn) == ({"contact": SAFE_CONTACT}, False)
    [revoked] = events(Action.CONSENT_REVOKED, handoff)
    assert revoked.details == {"consent": str(entry.code)}


def test_it_revokes_once(handoff, investigator):
    first = actions.do_revoke_consent(handoff, acting_user=investigator)
    second = actions.do_revoke_consent(handoff, acting_user=investigator)

    assert second.revoked_at == first.revoked_at
    assert len(events(Action.CONSENT_REVOKED, handoff)) == 1


def test_it_refuses_another_organization_and_a_missing_consent(
    handoff, hand_off, org_a, liaison_b, investigator
):
    with pytest.raises(actions.NotYours):
        actions.do_revoke_consent(handoff, acting_user=liaison_b)
    with pytest.raises(actions.WrongState):
        actions.do_revoke_consent(hand_off(org_a), acting_user=investigator)

    assert _org_wraps(handoff) == 1


def test_it_expires_consents_past_their_date(hand_off, org_a, liaison_a, keys, time_machine):
    time_machine.move_to(START, tick=False)
    short = hand_off(org_a, with_consent=True, consent=consent(days=3))
    long = hand_off(org_a, with_consent=True, consent=consent(days=10))

    time_machine.shift(timedelta(days=3))
    assert actions.do_expire_consents() == 0  # the last day still counts
    time_machine.shift(timedelta(days=1))
    assert actions.do_expire_consents() == 1
    assert actions.do_expire_consents() == 0

    ended = Consent.objects.get(handoff=short)
    assert (ended.ended_because, ended.revoked_by, ended.revoked_at) == (
        "expired",
        None,
        START + timedelta(days=4),
    )
    assert not ended.is_active and Consent.objects.get(handoff=long).is_active
    assert (_org_wraps(short), _org_wraps(long)) == (0, 1)
    view = reading.open_handoff(fresh(short), keys(liaison_a), actor=liaison_a)
    assert (view.identity, view.identity_withdrawn) == ({}, True)
    [expired] = events(Action.CONSENT_EXPIRED)
    assert (expired.actor, expired.target_id) == ("system", str(short.code))
