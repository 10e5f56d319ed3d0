"""What a partner receives is the minimum: the summary and the consented pieces, never the tip,
its description or the tipster; the partner's keys open the handoff and nothing else."""

from __future__ import annotations

import json

import pytest

from audit import Action
from handoffs import reading
from handoffs.actions import Identity
from portal import vault
from tests.factories import DESCRIPTION, SAFE_CONTACT, SUMMARY, TIPSTER_NAME, TIPSTER_PHONE, consent
from tests.readers import events

LEAKS = (DESCRIPTION, TIPSTER_NAME, TIPSTER_PHONE, "Sunrise", "816 555")


@pytest.fixture
def handoff(hand_off, org_a):
    return hand_off(
        org_a,
        identity=Identity(name="Maria", contact=SAFE_CONTACT),
        consent=consent(scope=("name", "contact")),
    )


def _opened(handoff, keyring) -> str:
    request = vault.open_record_key(handoff.request_record, keyring)
    identity = vault.open_record_key(handoff.identity_record, keyring)
    return (
        request.decrypt("request", bytes(handoff.request)).decode()
        + identity.decrypt("identity", bytes(handoff.identity)).decode()
    )


def test_it_seals_nothing_of_the_tip_or_the_tipster(handoff, liaison_a, keys):
    sealed = bytes(handoff.request) + bytes(handoff.identity)
    plaintext = _opened(handoff, keys(liaison_a))

    for leak in LEAKS:
        assert leak.encode() not in sealed
        assert leak not in plaintext
    assert SUMMARY.encode() not in sealed  # sealed, not stored in the clear


def test_it_seals_exactly_the_summary_and_the_consented_pieces(handoff, liaison_a, keys):
    keyring = keys(liaison_a)
    identity = vault.open_record_key(handoff.identity_record, keyring)

    pieces = json.loads(identity.decrypt("identity", bytes(handoff.identity)))
    assert pieces == {"name": "Maria", "contact": SAFE_CONTACT}


def test_it_opens_summary_and_identity_for_the_liaison(handoff, liaison_a, keys):
    view = reading.open_handoff(handoff, keys(liaison_a), actor=liaison_a)

    assert view.summary == SUMMARY
    assert view.identity == {"name": "Maria", "contact": SAFE_CONTACT}
    assert not view.identity_withdrawn
    assert view.decline_reason == "" and view.notes == []
    [viewed] = events(Action.HANDOFF_VIEWED, handoff)
    assert viewed.actor == str(liaison_a.pk)


def test_it_opens_the_same_for_the_task_force(handoff, investigator, keys):
    view = reading.open_handoff(handoff, keys(investigator), actor=investigator)

    assert (view.summary, view.identity["contact"]) == (SUMMARY, SAFE_CONTACT)


def test_the_liaisons_keys_cannot_open_the_tip(handoff, tip, liaison_a, keys):
    with pytest.raises(vault.NoDeskAccess):
        vault.open_record_key(tip.vault_record, keys(liaison_a))


def test_another_organizations_keys_cannot_open_the_handoff(handoff, liaison_b, keys):
    for record in (handoff.request_record, handoff.identity_record):
        with pytest.raises(vault.NoDeskAccess):
            vault.open_record_key(record, keys(liaison_b))
