"""A worker killed mid-task (kill -9 of its whole process group, as when a machine loses it):
the work completes after a worker starts again.

The task killed here is the mail an urgent notification calls for, caught while it talks to a
mail server of the test's own. It completes either way a real deployment would see it: the
broker hands the unacknowledged message over again after `CELERY_VISIBILITY_TIMEOUT`, or the
outbox sweeper takes the job over once its lease (`OUTBOX_LEASE_SECONDS`) has run out; both are
shortened here so the test takes seconds. Measured here: the mail went out about 2 s after the
new worker was ready (the lease ran out, the next sweep took the job).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import transaction

from portal import mail
from portal.models import OutboxJob, User
from tests.faults.services import redis_on, worker
from tests.faults.smtp import SmtpSink
from tests.servers import free_port, shared_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_task_killed_with_its_worker_completes_after_a_restart(
    subprocess_env, venv_bin, tmp_path: Path, supervisor, settings
) -> None:
    database_url = shared_database_url()
    User.objects.filter(pk=supervisor.pk).update(email="sam@example.org")
    broker_port = free_port()
    sink = SmtpSink(hung=True)  # the first attempt is caught mid-conversation
    env = dict(
        subprocess_env,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{broker_port}/0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        EMAIL_TIMEOUT="60",
        CELERY_VISIBILITY_TIMEOUT="3",
        OUTBOX_LEASE_SECONDS="3",
        OUTBOX_GRACE_SECONDS="1",
        OUTBOX_SWEEP_SECONDS="1",
        CELERY_LOG_LEVEL="INFO",
    )
    settings.OUTBOX_GRACE_SECONDS = 1  # the job is recorded here, in the test's process
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = env["CELERY_BROKER_URL"]
    try:
        with redis_on(broker_port):
            with worker(venv_bin, env, tmp_path, new_session=True) as first:
                with transaction.atomic():  # committed: the nudge publishes to our broker
                    mail.enqueue_staff_mail("urgent_escalated", [supervisor.pk])
                assert sink.connected.wait(timeout=60), "the worker never started the mail"
                os.killpg(first.process.pid, signal.SIGKILL)
                first.process.wait(timeout=30)
            [job] = OutboxJob.objects.all()
            assert job.done_at is None and job.attempts == 1
            sink.hung = False
            with worker(venv_bin, env, tmp_path):
                started = time.monotonic()
                assert sink.received.wait(timeout=90), "the killed task never completed"
                print(f"mail sent {time.monotonic() - started:.1f} s after the restart")
        [message] = sink.messages
        assert b"sam@example.org" in message
        job.refresh_from_db()
        assert job.done_at is not None
    finally:
        sink.stop()
