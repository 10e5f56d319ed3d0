"""Retention fixtures: the task force holds the triage desk, org-a is a partner with its own
desk, and `close(tip, reason)` closes a tip through the real action."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal import vault
from portal.models import User
from tests import factories
from tips.models import Status
from triage import actions

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def liaison_a(liaison_a: User, recovery_key: vault.PrivateKey) -> User:
    return factories.partner(liaison_a, recovery_key)


@pytest.fixture
def clock(time_machine):
    """A frozen clock at T0; `clock.move_to(moment)` moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def close(investigator, keys):
    def make(tip, close_reason="unfounded", duplicate_of=None):
        if tip.assignee_id is None:
            tip = actions.do_claim(tip, acting_user=investigator)
        return actions.do_transition(
            tip, Status.CLOSED, acting_user=investigator, reason="Nothing to it",
            unlocked=keys(investigator), close_reason=close_reason, duplicate_of=duplicate_of,
        )  # fmt: skip

    return make
