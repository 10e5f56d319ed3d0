"""Handoff fixtures: the task force holds the triage desk, partner organizations org-a and org-b
have their own desks held by their liaisons, the tip's tipster left contact details, and a
`hand_off` helper goes through the real action. Builders and the texts they use are in
`tests.factories`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from handoffs.models import Handoff
from partners.models import Organization
from portal import vault
from portal.models import User
from tests import factories
from tests.staff import sign_in
from tips.models import Tip


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def liaison_a(liaison_a: User, recovery_key: vault.PrivateKey) -> User:
    return factories.partner(liaison_a, recovery_key)


@pytest.fixture
def liaison_b(liaison_b: User, recovery_key: vault.PrivateKey) -> User:
    return factories.partner(liaison_b, recovery_key)


@pytest.fixture
def org_a(liaison_a: User) -> Organization:
    return Organization.objects.get(slug="org-a")


@pytest.fixture
def org_b(liaison_b: User) -> Organization:
    return Organization.objects.get(slug="org-b")


@pytest.fixture
def tip(submit: Callable[..., tuple[Tip, str]]) -> Tip:
    """A tip whose tipster left a name and phone number: none of it may reach a partner."""
    return submit(contact=factories.tipster_contact())[0]


@pytest.fixture
def hand_off(tip: Tip, investigator: User) -> Callable[..., Handoff]:
    """`hand_off(org, **fields)`: a handoff of `tip` by the investigator, through the action.

    Anonymous by default; `with_consent=True` shares a safe way to reach the person; `tip=` and
    `acting_user=` hand off another tip or as someone else."""

    def make(organization: Organization, **fields: Any) -> Handoff:
        on_tip = fields.pop("tip", tip)
        acting_user = fields.pop("acting_user", investigator)
        return factories.hand_off(on_tip, organization, acting_user=acting_user, **fields)

    return make


@pytest.fixture
def handoff(hand_off: Callable[..., Handoff], org_a: Organization) -> Handoff:
    """A handoff to org-a with consent to share a safe way to reach the person."""
    return hand_off(org_a, with_consent=True)


@pytest.fixture
def lia(liaison_a: User) -> Client:
    """org-a's liaison, signed in."""
    return sign_in(Client(), liaison_a)
