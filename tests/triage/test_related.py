"""reading.related_tips: blind-index candidates confirmed by decryption, plus linked tips."""

import pytest

from audit import Action
from tests.readers import events
from tips.models import Identifier
from triage import actions, reading
from triage.models import Link

SHARED = [{"kind": "phone", "value": "+19135550142"}]


@pytest.fixture
def pair(submit):
    """Two tips sharing one phone number, written differently (a field and free text)."""
    first = submit(identifiers={"phones": ["(913) 555-0142"]})[0]
    second = submit(description="Call 913.555.0142 for the girls", identifiers={})[0]
    return first, second


@pytest.fixture
def stranger(submit):
    return submit(description="Farm workers kept in a barn", identifiers={"plates": ["MO QQ1"]})[0]


def related(tip, user, keys):
    return reading.related_tips(tip, keys(user), actor=user)


def test_it_finds_a_tip_sharing_a_phone_number_in_another_format(pair, investigator, keys):
    first, second = pair

    [found] = related(first, investigator, keys)

    assert (found.tip, found.shared, found.linked) == (second, SHARED, "")


def test_it_leaves_out_a_tip_sharing_nothing(pair, stranger, investigator, keys):
    first, second = pair

    assert [r.tip for r in related(first, investigator, keys)] == [second]
    assert related(stranger, investigator, keys) == []


def test_it_discards_a_blind_index_collision(pair, stranger, investigator, keys):
    first, second = pair
    phone = Identifier.objects.get(tip=first, kind="phone")
    Identifier.objects.create(tip=stranger, kind="phone", digest=phone.digest)

    found = related(first, investigator, keys)

    assert [r.tip for r in found] == [second]


def test_it_shows_a_hand_made_link(pair, stranger, investigator, keys):
    first, _second = pair
    actions.do_link(first, stranger, acting_user=investigator)

    found = {r.tip: r for r in related(first, investigator, keys)}

    assert (found[stranger].linked, found[stranger].shared) == ("related", [])


def test_it_audits_the_link(pair, stranger, investigator):
    first, _second = pair

    actions.do_link(stranger, first, acting_user=investigator)

    link = Link.objects.get()
    assert (link.tip, link.other) == (first, stranger)
    [event] = events(Action.TIP_LINKED, stranger)
    assert event.details == {"other": str(first.code), "kind": "related"}


def test_it_links_a_pair_once(pair, investigator):
    first, second = pair
    actions.do_link(first, second, acting_user=investigator)

    assert actions.do_link(second, first, acting_user=investigator) is None
    assert Link.objects.count() == 1


def test_it_refuses_linking_a_tip_to_itself(pair, investigator):
    with pytest.raises(actions.Invalid):
        actions.do_link(pair[0], pair[0], acting_user=investigator)


def test_it_forgets_an_unlinked_tip(pair, stranger, investigator, keys):
    first, _second = pair
    actions.do_link(first, stranger, acting_user=investigator)

    assert actions.do_unlink(stranger, first, acting_user=investigator) is True

    assert stranger not in [r.tip for r in related(first, investigator, keys)]
    assert len(events(Action.TIP_UNLINKED, stranger)) == 1


def test_it_audits_viewing_related_tips(pair, investigator, keys):
    related(pair[0], investigator, keys)

    [event] = events(Action.RELATED_VIEWED, pair[0])
    assert (event.actor, event.details) == (str(investigator.pk), {"related": 1})
