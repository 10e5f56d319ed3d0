import pytest


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    return True
