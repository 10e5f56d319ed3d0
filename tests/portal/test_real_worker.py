"""A real Celery worker process, fed through the configured broker (Redis on CI)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings

from portal.celery import app
from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat
from tests.portal.crash_tasks import crash_once
from tests.servers import running, shared_database_url

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 and DATABASE_URL=postgres://... "
        "to run tasks through a real worker",
    ),
]


@pytest.fixture
def worker_queue(subprocess_env: dict[str, str], venv_bin: Path) -> Iterator[str]:
    """A worker on a queue of its own (prefork, one child), sharing the test database."""
    queue = f"test-{uuid.uuid4().hex}"
    env = dict(
        subprocess_env,
        DATABASE_URL=shared_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_RESULT_BACKEND=settings.CELERY_BROKER_URL,
        CELERY_LOG_LEVEL="INFO",
    )
    command = [
        str(venv_bin / "celery"), "-A", "portal", "worker", "--pool=prefork", "--concurrency=1",
        "--queues", queue, "--include", "tests.portal.crash_tasks", "--without-gossip",
        "--without-mingle", "--loglevel=info",
    ]  # fmt: skip
    with running(command, env, "ready."):
        yield queue


def outcome(task_id: str) -> object:
    """Wait for a task's result, which the worker stores in Redis for these tests only."""
    backend = RedisBackend(app=app, url=settings.CELERY_BROKER_URL)
    return AsyncResult(task_id, backend=backend, app=app).get(timeout=120)


def test_it_runs_a_task_in_a_real_worker(worker_queue: str) -> None:
    beat_id = outcome(record_heartbeat.apply_async(queue=worker_queue).id)
    assert WorkerHeartbeat.objects.get(pk=beat_id).eager is False


def test_it_redelivers_a_task_whose_worker_was_killed(worker_queue: str, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    result = crash_once.apply_async(args=[str(marker)], queue=worker_queue)
    assert outcome(result.id) == "done after redelivery"
    assert marker.read_text() == "killed once"
