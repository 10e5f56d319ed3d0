"""Fixtures for the audit tests: staff of each role, a checkpoint file, and raw-SQL tampering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portal.models import User
from portal.roles import Role
from tests.audit.tampering import drop_triggers, sql

ROLES = [Role.INVESTIGATOR, Role.SUPERVISOR, Role.LIAISON, Role.ADMIN]


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    from partners.models import Organization

    def make(role: str, username: str | None = None) -> User:
        organization = None
        if role == Role.LIAISON:
            organization, _ = Organization.objects.get_or_create(
                slug="harbor-house", defaults={"name": "Harbor House"}
            )
        return User.objects.create_user(
            username=username or f"{role}-{User.objects.count() + 1}",
            password="not-used-in-these-tests",
            role=role,
            organization=organization,
        )

    return make


@pytest.fixture
def supervisor_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, "sam")


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "audit-checkpoints.log"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    return path


@pytest.fixture
def tamper() -> Callable[..., list[tuple[Any, ...]]]:
    """`tamper(sql, params)`: run raw SQL on the audit tables with the triggers out of the way."""
    dropped = False

    def run(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        nonlocal dropped
        if not dropped:
            drop_triggers()
            dropped = True
        return sql(statement, params)

    return run
