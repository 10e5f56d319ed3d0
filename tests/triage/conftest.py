"""Triage fixtures: the task-force personas hold the triage desk key, and a tipster's contact
details. The vault, the tip (`submit`, `tip`, `held`) and the readers (`tests.readers`) are
shared by every app's tests."""

from __future__ import annotations

import pytest

from tips.submission import Contact


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True


@pytest.fixture
def contact() -> Contact:
    return Contact(name="Ana Tester", phone="816 555 0100", may_contact=True)
