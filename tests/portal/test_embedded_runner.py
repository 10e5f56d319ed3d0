"""The embedded default (`make run`: SQLite, no broker) signs audit checkpoints without beat."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from portal.embedded import EmbeddedRunner
from portal.models import WorkerHeartbeat
from tests.servers import ROOT, free_port, running

HEARTBEAT = {"worker-heartbeat": {"task": "portal.tasks.record_heartbeat", "schedule": 60.0}}


@pytest.mark.django_db
def test_it_runs_each_entry_at_start_up_then_at_its_interval() -> None:
    runner = EmbeddedRunner(HEARTBEAT)

    runner.run_due_tasks(now=1000.0)
    runner.run_due_tasks(now=1030.0)
    assert WorkerHeartbeat.objects.count() == 1
    runner.run_due_tasks(now=1061.0)
    assert WorkerHeartbeat.objects.count() == 2


def test_a_served_portal_signs_a_checkpoint_so_a_truncated_tail_is_caught(
    subprocess_env, project_python, tmp_path
) -> None:
    env = dict(subprocess_env, AUDIT_CHECKPOINT_FILE=str(tmp_path / "checkpoints.log"))
    database_path = env["DATABASE_URL"].removeprefix("sqlite:///")

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [project_python, "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    assert manage("migrate", "--noinput").returncode == 0
    fill = (
        "from audit import Action, record\n"
        "for _ in range(5): record(Action.TIP_SUBMITTED, actor=None)"
    )
    assert manage("shell", "-c", fill).returncode == 0
    command = [project_python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{free_port()}"]
    # The in-process runner signs one at start-up and says so.
    with running(command, env, "audit checkpoint written"):
        assert _checkpoints(database_path) == 1
    assert manage("verify_audit").returncode == 0
    database = sqlite3.connect(database_path)
    with database:
        database.execute("DROP TRIGGER audit_event_no_delete")
        database.execute("DELETE FROM audit_event WHERE seq >= 5")
    database.close()

    broken = manage("verify_audit")

    assert broken.returncode == 1
    assert "were removed" in broken.stderr


def _checkpoints(path: str) -> int:
    database = sqlite3.connect(path, timeout=10)
    try:
        return database.execute("SELECT count(*) FROM audit_checkpoint").fetchone()[0]
    finally:
        database.close()
