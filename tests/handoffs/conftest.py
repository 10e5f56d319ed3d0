"""Handoff fixtures: an initialised vault, the triage desk held by the task force, partner
organizations org-a and org-b with their own desks held by their liaisons, a tip from a tipster
who left contact details, and a `hand_off` helper that goes through the real action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audit import Action
from audit.models import AuditEvent
from handoffs import actions
from handoffs.actions import ConsentGiven, Identity, NewHandoff
from handoffs.models import Handoff
from partners.models import Organization
from portal import vault
from portal.models import User
from tests.conftest import STAFF_PASSWORD
from tests.triage.conftest import submission
from tips import actions as tip_actions
from tips.models import Status as TipStatus
from tips.models import Tip
from tips.submission import Contact
from triage import actions as triage_actions

ORG_SERVICES = ["counseling", "housing", "shelter"]
SUMMARY = "Adult woman needs a safe bed tonight and someone to talk to in Spanish."
DESCRIPTION = "Men sleep in the warehouse behind the Sunrise Nail Spa."
TIPSTER_NAME = "Ana Tipster"
TIPSTER_PHONE = "816 555 0100"
SAFE_CONTACT = "Text only, weekday mornings: 913 555 0177"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage", "file_permissions_mode": 0o600},
        },
    }
    return tmp_path / "storage"


@pytest.fixture
def recovery_key(db) -> vault.PrivateKey:
    return vault.initialize()


@pytest.fixture
def enlist(recovery_key: vault.PrivateKey) -> Callable[[User], User]:
    def grant(user: User) -> User:
        vault.grant_desk_with_recovery(vault.triage_desk(), user, recovery_key)
        return user

    return grant


@pytest.fixture
def investigator(investigator: User, enlist: Callable[[User], User]) -> User:
    return enlist(investigator)


@pytest.fixture
def supervisor(supervisor: User, enlist: Callable[[User], User]) -> User:
    return enlist(supervisor)


def _partner(liaison: User, recovery_key: vault.PrivateKey) -> User:
    """`make_staff` creates the organization bare: give it services and a desk, then the key."""
    Organization.objects.filter(pk=liaison.organization_id).update(services=ORG_SERVICES)
    organization = Organization.objects.get(pk=liaison.organization_id)
    desk = vault.create_organization_desk(organization)
    vault.grant_desk_with_recovery(desk, liaison, recovery_key)
    return User.objects.get(pk=liaison.pk)


@pytest.fixture
def liaison_a(liaison_a: User, recovery_key: vault.PrivateKey) -> User:
    return _partner(liaison_a, recovery_key)


@pytest.fixture
def liaison_b(liaison_b: User, recovery_key: vault.PrivateKey) -> User:
    return _partner(liaison_b, recovery_key)


@pytest.fixture
def org_a(liaison_a: User) -> Organization:
    return Organization.objects.get(slug="org-a")


@pytest.fixture
def org_b(liaison_b: User) -> Organization:
    return Organization.objects.get(slug="org-b")


@pytest.fixture
def keys() -> Callable[[User], vault.UnlockedKeys]:
    """`keys(user)`: the user's unlocked keyring, as a signed-in session holds it."""
    unlocked: dict[int, vault.UnlockedKeys] = {}

    def unlock(user: User) -> vault.UnlockedKeys:
        if user.pk not in unlocked:
            unlocked[user.pk] = vault.unlock(user, STAFF_PASSWORD)
        return unlocked[user.pk]

    return unlock


@pytest.fixture
def tip(recovery_key: vault.PrivateKey) -> Tip:
    """A tip whose tipster left a name and phone number: none of it may reach a partner."""
    contact = Contact(name=TIPSTER_NAME, phone=TIPSTER_PHONE, may_contact=True)
    submitted = tip_actions.do_submit_tip(submission(description=DESCRIPTION, contact=contact))
    return Tip.objects.get(pk=submitted.tip.pk)


@pytest.fixture
def investigating(tip: Tip, investigator: User, keys) -> Tip:
    """The tip, claimed by the investigator and under investigation."""
    triage_actions.do_claim(tip, acting_user=investigator)
    triage_actions.do_transition(
        tip,
        TipStatus.INVESTIGATING,
        acting_user=investigator,
        reason="Looking into it",
        unlocked=keys(investigator),
    )
    return Tip.objects.get(pk=tip.pk)


def consent(scope: tuple[str, ...] = ("contact",), days: int = 30, **extra: Any) -> ConsentGiven:
    expires = timezone.localdate() + timedelta(days=days)
    return ConsentGiven(method="verbal", scope=scope, expires_at=expires, **extra)


@pytest.fixture
def hand_off(tip: Tip, investigator: User) -> Callable[..., Handoff]:
    """`hand_off(org, **fields)`: a handoff of `tip` by the investigator, through the action.

    Anonymous by default; `with_consent=True` shares a safe way to reach the person."""

    def make(organization: Organization, *, with_consent: bool = False, **fields: Any) -> Handoff:
        acting_user = fields.pop("acting_user", investigator)
        unlocked = fields.pop("unlocked", None)
        on_tip = fields.pop("tip", tip)
        if with_consent:
            fields.setdefault("identity", Identity(contact=SAFE_CONTACT))
            fields.setdefault("consent", consent())
        fields.setdefault("services", ("shelter",))
        fields.setdefault("summary", SUMMARY)
        new = NewHandoff(organization=organization, **fields)
        return actions.do_create_handoff(on_tip, new, acting_user=acting_user, unlocked=unlocked)

    return make


def events(action: Action, handoff: Handoff | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(action=action).order_by("seq")
    if handoff is not None:
        rows = rows.filter(target_type="handoffs.handoff", target_id=str(handoff.code))
    return list(rows)


def fresh(handoff: Handoff) -> Handoff:
    return Handoff.objects.select_related("organization").get(pk=handoff.pk)
