"""do_create_handoff: anonymous requests, consent-bound identity, the ledger, and the tip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit import Action
from handoffs import actions
from handoffs import consent as statements
from handoffs.actions import ConsentGiven, Identity
from handoffs.models import Consent, Status
from portal import vault
from tests.factories import SAFE_CONTACT, SUMMARY, consent
from tests.readers import events
from tips.models import Status as TipStatus
from tips.models import Tip


def test_it_sends_an_anonymous_request_with_the_summary_only(hand_off, org_a, liaison_a, keys):
    handoff = hand_off(org_a, services=("shelter", "counseling", "shelter"))

    assert handoff.status == Status.PENDING
    assert handoff.services == ["counseling", "shelter"]
    assert handoff.identity is None
    assert not Consent.objects.filter(handoff=handoff).exists()
    key = vault.open_record_key(handoff.request_record, keys(liaison_a))
    assert key.decrypt("request", bytes(handoff.request)) == (
        b'{"summary": "' + SUMMARY.encode() + b'"}'
    )


@pytest.mark.parametrize("piece", ["name", "contact", "location", "situation"])
def test_it_refuses_identity_without_consent(hand_off, org_a, piece):
    with pytest.raises(actions.Invalid, match="anonymous service request"):
        hand_off(org_a, identity=Identity(**{piece: "Maria, room 4"}))


def test_it_refuses_pieces_beyond_the_consented_scope(hand_off, org_a):
    with pytest.raises(actions.Invalid, match="did not agree to share: location, name"):
        hand_off(
            org_a,
            identity=Identity(name="Maria", contact=SAFE_CONTACT, location="East motel"),
            consent=consent(scope=("contact",)),
        )


def test_it_accepts_pieces_within_the_scope(hand_off, org_a):
    handoff = hand_off(
        org_a,
        identity=Identity(name="Maria", contact=SAFE_CONTACT),
        consent=consent(scope=("name", "contact", "situation")),
    )

    assert handoff.identity is not None


@pytest.mark.parametrize(
    ("services", "message"),
    [((), "at least one"), (("teleport",), "Unknown"), (("legal", "shelter"), "not offer: legal")],
)
def test_it_refuses_services_the_organization_does_not_offer(hand_off, org_a, services, message):
    with pytest.raises(actions.Invalid, match=message):
        hand_off(org_a, services=services)


@pytest.mark.parametrize("days", [0, -1])
def test_it_requires_consent_to_run_into_the_future(hand_off, org_a, days):
    with pytest.raises(actions.Invalid, match="future date"):
        hand_off(org_a, with_consent=True, consent=consent(days=days))


def test_it_refuses_an_unknown_consent_method_or_scope(hand_off, org_a):
    expires = timezone.localdate() + timedelta(days=5)
    with pytest.raises(actions.Invalid, match="written or verbal"):
        hand_off(org_a, with_consent=True, consent=ConsentGiven("telepathy", ("contact",), expires))
    with pytest.raises(actions.Invalid, match="which pieces"):
        hand_off(org_a, with_consent=True, consent=ConsentGiven("written", ("shoe_size",), expires))


def test_it_records_the_consent_in_the_ledger(hand_off, org_a, investigator):
    handoff = hand_off(
        org_a,
        services=("housing", "shelter"),
        identity=Identity(contact=SAFE_CONTACT),
        consent=consent(scope=("contact", "name"), days=60, party="guardian"),
    )

    entry = Consent.objects.get(handoff=handoff)
    assert (entry.method, entry.party) == ("verbal", "guardian")
    assert entry.scope == ["contact", "name"]
    assert entry.services == ["housing", "shelter"]
    assert entry.statement_version == statements.CURRENT_VERSION
    assert entry.expires_at == timezone.localdate() + timedelta(days=60)
    assert entry.recorded_by == investigator
    assert entry.is_active and entry.revoked_at is None


def test_it_audits_the_handoff_and_the_consent(hand_off, org_a, investigator, tip):
    handoff = hand_off(org_a, with_consent=True)

    [created] = events(Action.HANDOFF_CREATED, handoff)
    assert created.actor == str(investigator.pk)
    assert created.details["tip"] == str(tip.code)
    assert created.details["organization"] == "org-a"
    assert created.details["with_consent"] is True
    [recorded] = events(Action.CONSENT_RECORDED, handoff)
    assert recorded.details["scope"] == ["contact"]
    assert recorded.details["method"] == "verbal"
    assert SAFE_CONTACT not in str(created.entry) + str(recorded.entry)


def test_it_moves_the_investigators_tip_to_handed_off(hand_off, org_a, investigating, keys):
    hand_off(org_a, tip=investigating, unlocked=keys(investigating.assignee))

    assert Tip.objects.get(pk=investigating.pk).status == TipStatus.HANDED_OFF


def test_it_leaves_the_tip_alone_without_unlocked_keys(hand_off, org_a, investigating):
    hand_off(org_a, tip=investigating)

    assert Tip.objects.get(pk=investigating.pk).status == TipStatus.INVESTIGATING


def test_it_refuses_a_liaison(hand_off, org_a, liaison_a):
    with pytest.raises(actions.NotYours):
        hand_off(org_a, acting_user=liaison_a)
