"""do_refer: an outside agency, a sealed reason, and an investigating tip moves to `referred`."""

import pytest

from audit import Action
from portal import vault
from tests.readers import events, fresh
from tips.models import Status
from triage import actions
from triage.models import Referral

WHY = "The motel is in Kansas City, Missouri: the city's vice unit has the case"


def refer(tip, user, keys, destination=Referral.Destination.CITY_VICE, reason=WHY):
    return actions.do_refer(tip, destination, reason, acting_user=user, unlocked=keys(user))


def test_it_records_the_destination_and_seals_the_reason(investigating, investigator, keys):
    referral = refer(investigating, investigator, keys)

    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.tip, stored.destination, stored.created_by) == (
        investigating,
        "city_vice",
        investigator,
    )
    assert b"Missouri" not in bytes(stored.reason)
    key = vault.open_record_key(investigating.vault_record, keys(investigator))
    assert key.decrypt(stored.reason_field, bytes(stored.reason)).decode() == WHY


def test_it_audits_the_referral(investigating, investigator, keys):
    referral = refer(investigating, investigator, keys)

    [event] = events(Action.REFERRAL_CREATED, investigating)
    assert event.details == {"destination": "city_vice", "referral": str(referral.code)}
    assert "Missouri" not in bytes(event.canon).decode()


def test_it_moves_an_investigating_tip_to_referred(investigating, investigator, keys):
    refer(investigating, investigator, keys)

    assert fresh(investigating).status == Status.REFERRED
    [event] = events(Action.TIP_TRANSITIONED, investigating)[-1:]
    assert (event.details["from_status"], event.details["to_status"]) == (
        "investigating",
        "referred",
    )


def test_it_leaves_a_tip_in_review_where_it_is(held, investigator, keys):
    refer(held, investigator, keys, destination=Referral.Destination.NCMEC)

    assert fresh(held).status == Status.IN_REVIEW
    assert Referral.objects.filter(tip=held).count() == 1


def test_it_refuses_an_unknown_destination(held, investigator, keys):
    with pytest.raises(actions.Invalid):
        refer(held, investigator, keys, destination="interpol")
    assert not Referral.objects.exists()


def test_it_needs_a_reason(investigating, investigator, keys):
    with pytest.raises(actions.Invalid):
        refer(investigating, investigator, keys, reason="")
    assert fresh(investigating).status == Status.INVESTIGATING


def test_it_refuses_a_non_holder(investigating, other_investigator, keys):
    with pytest.raises(actions.NotYours):
        refer(investigating, other_investigator, keys)
    assert events(Action.REFERRAL_CREATED, investigating) == []
