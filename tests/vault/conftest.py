"""Vault fixtures: the triage desk and organization desks of the initialised vault, data keys,
and members created the plain way (a user row plus `vault.create_personal_key`), independent of
the accounts app's flows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from partners.models import Organization
from portal import vault
from portal.models import User
from portal.vault.content import DataKey
from portal.vault.keys import PrivateKey
from portal.vault.models import Desk
from tests.commands import run
from tests.vault.members import PASSWORD


@pytest.fixture
def triage(recovery_key: PrivateKey) -> Desk:
    return vault.triage_desk()


@pytest.fixture
def make_org_desk(recovery_key: PrivateKey) -> Callable[[str], Desk]:
    def make(slug: str) -> Desk:
        organization = Organization.objects.create(
            slug=slug, name=slug.title(), services=["shelter"]
        )
        return vault.create_organization_desk(organization)

    return make


@pytest.fixture
def org_desk(make_org_desk: Callable[[str], Desk]) -> Desk:
    return make_org_desk("drop-in")


@pytest.fixture
def make_member(db) -> Callable[..., User]:
    def make(username: str, role: str = "investigator", org: Desk | None = None) -> User:
        user = User.objects.create_user(
            username,
            email=f"{username}@example.org",
            password=PASSWORD,
            role=role,
            organization=org.organization if org else None,
        )
        vault.create_personal_key(user, PASSWORD)
        return user

    return make


@pytest.fixture
def investigator(make_member: Callable[..., User], triage: Desk, recovery_key: PrivateKey) -> User:
    user = make_member("ivy")
    vault.grant_desk_with_recovery(triage, user, recovery_key)
    return user


@pytest.fixture
def liaison(make_member: Callable[..., User], org_desk: Desk, recovery_key: PrivateKey) -> User:
    user = make_member("lia", role="liaison", org=org_desk)
    vault.grant_desk_with_recovery(org_desk, user, recovery_key)
    return user


@pytest.fixture
def recovery(recovery_key: PrivateKey) -> vault.RecoveryKeyring:
    return vault.RecoveryKeyring(recovery_key)


@pytest.fixture
def key() -> DataKey:
    """A fresh data key, as each sealed record gets."""
    return DataKey.generate()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A vault initialised by `vault_init`, its recovery key written to a file."""
    path = tmp_path / "recovery-key"
    run("vault_init", recovery_key_out=str(path))
    return path
