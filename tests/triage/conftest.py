"""Triage fixtures: an initialised vault whose task-force members hold the triage desk, private
attachment storage per test, a `submit` helper that goes through the real submission action,
and small readers for audit rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit import Action
from audit.models import AuditEvent
from portal import vault
from portal.models import User
from tests.conftest import STAFF_PASSWORD
from tips import actions as tip_actions
from tips.models import Tip
from tips.submission import Contact, TipSubmission

PHONE_TIP = "(913) 555-0142"


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
    """Give a task-force member the triage desk key, as an operator does with the recovery key."""

    def grant(user: User) -> User:
        vault.grant_desk_with_recovery(vault.triage_desk(), user, recovery_key)
        return user

    return grant


@pytest.fixture
def investigator(investigator: User, enlist: Callable[[User], User]) -> User:
    return enlist(investigator)


@pytest.fixture
def other_investigator(other_investigator: User, enlist: Callable[[User], User]) -> User:
    return enlist(other_investigator)


@pytest.fixture
def supervisor(supervisor: User, enlist: Callable[[User], User]) -> User:
    return enlist(supervisor)


@pytest.fixture
def other_supervisor(make_staff, enlist: Callable[[User], User]) -> User:
    return enlist(make_staff("sue-supervisor", "supervisor"))


@pytest.fixture
def keys() -> Callable[[User], vault.UnlockedKeys]:
    """`keys(user)`: the user's unlocked keyring, as a signed-in session holds it."""
    unlocked: dict[int, vault.UnlockedKeys] = {}

    def unlock(user: User) -> vault.UnlockedKeys:
        if user.pk not in unlocked:
            unlocked[user.pk] = vault.unlock(user, STAFF_PASSWORD)
        return unlocked[user.pk]

    return unlock


def submission(**overrides: Any) -> TipSubmission:
    fields: dict[str, Any] = {
        "what": "labor_trafficking",
        "description": "Men sleep in the warehouse behind the Sunrise Nail Spa.",
        "immediate_danger": "no",
        "minor_involved": "no",
        "recency": "week",
        "location": "Warehouse behind 9th and Pine",
        "area": "olathe",
        "identifiers": {"plates": ["KS 7ABC123"]},
    }
    fields.update(overrides)
    return TipSubmission(**fields)


@pytest.fixture
def submit(recovery_key: vault.PrivateKey) -> Callable[..., tuple[Tip, str]]:
    """`submit(**overrides)`: a tip through `do_submit_tip`; returns (tip, receipt)."""

    def send(**overrides: Any) -> tuple[Tip, str]:
        submitted = tip_actions.do_submit_tip(submission(**overrides))
        return Tip.objects.get(pk=submitted.tip.pk), submitted.receipt

    return send


@pytest.fixture
def tip(submit: Callable[..., tuple[Tip, str]]) -> Tip:
    return submit()[0]


@pytest.fixture
def contact() -> Contact:
    return Contact(name="Ana Tester", phone="816 555 0100", may_contact=True)


def events(action: Action, tip: Tip | None = None) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(action=action).order_by("seq")
    if tip is not None:
        rows = rows.filter(target_type="tips.tip", target_id=str(tip.code))
    return list(rows)


def fresh(tip: Tip) -> Tip:
    return Tip.objects.get(pk=tip.pk)
