"""The outbox: jobs recorded with the change, nudged after commit, claimed under a lease, retried
with back-off, swept when no nudge delivered them."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from portal import outbox
from portal.models import OutboxJob
from tests.servers import free_port

pytestmark = pytest.mark.django_db
HEARTBEAT = "portal.tasks.record_heartbeat"
T0 = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def _job(**fields) -> OutboxJob:
    with transaction.atomic():
        job = outbox.enqueue(HEARTBEAT)
    OutboxJob.objects.filter(pk=job.pk).update(**fields)
    return OutboxJob.objects.get(pk=job.pk)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_job_outside_the_transaction_of_the_change() -> None:
    with pytest.raises(RuntimeError):
        outbox.enqueue(HEARTBEAT)


def test_it_runs_a_job_once_and_marks_it_done(clock) -> None:
    job = _job()

    assert outbox.run(job.pk) is True
    assert outbox.run(job.pk) is False  # done: a redelivered nudge does nothing
    job.refresh_from_db()
    assert job.done_at == T0 and job.attempts == 1


def test_it_leaves_a_job_held_by_another_runner_until_its_lease_ends(clock, settings) -> None:
    job = _job(leased_until=T0 + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))

    assert outbox.run(job.pk) is False
    clock.move_to(T0 + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert outbox.run(job.pk) is True  # that runner was killed: its job is taken over


def test_it_retries_a_failing_job_with_back_off_and_never_gives_up(clock, settings, caplog) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    job = _job()
    OutboxJob.objects.filter(pk=job.pk).update(task="portal.tasks.no_such_task")

    delays = []
    for _ in range(12):
        with caplog.at_level(logging.WARNING, logger="portal.outbox"):
            assert outbox.run(job.pk) is False
        job.refresh_from_db()
        delays.append((job.run_after - timezone.now()).total_seconds())
    assert delays[0] < delays[1] < delays[2]
    assert max(delays) == 3600  # the back-off stops growing at an hour
    assert job.last_error == "NotRegistered" and job.done_at is None
    levels = [record.levelno for record in caplog.records]
    assert levels[:2] == [logging.WARNING, logging.WARNING]
    assert set(levels[2:]) == {logging.ERROR}  # past OUTBOX_MAX_ATTEMPTS: for a person
    assert outbox.failing() == 1


def test_the_sweeper_delivers_what_no_nudge_did_after_the_grace(clock, settings) -> None:
    job = _job()  # in a test transaction: the nudge never ran

    assert outbox.sweep() == 0
    clock.move_to(T0 + dt.timedelta(seconds=settings.OUTBOX_GRACE_SECONDS))
    assert outbox.sweep() == 1
    job.refresh_from_db()
    assert job.done_at is not None


def test_the_sweeper_forgets_jobs_done_a_day_ago(clock) -> None:
    job = _job(done_at=T0)
    clock.move_to(T0 + dt.timedelta(days=1, seconds=1))

    outbox.sweep()

    assert not OutboxJob.objects.filter(pk=job.pk).exists()


def test_the_nudge_runs_the_job_in_process_without_a_broker(
    django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default, whatever this run uses
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = outbox.enqueue(HEARTBEAT)

    job.refresh_from_db()
    assert job.done_at is not None


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A broker address that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"


@pytest.mark.parametrize("broker", ["closed", "silent"])
def test_the_nudge_gives_up_on_a_broker_that_is_down_or_hung(
    broker, silent_broker, settings, caplog
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = (
        silent_broker if broker == "silent" else f"redis://127.0.0.1:{free_port()}/0"
    )
    started = time.monotonic()

    outbox.nudge(12345)  # never raises

    # A bound on hanging (the nudge's own timeout plus slack), not a speed figure.
    assert time.monotonic() - started < settings.OUTBOX_NUDGE_TIMEOUT + 2
    [warning] = [r for r in caplog.records if r.name == "portal.outbox"]
    assert (
        "left for the sweeper" in warning.getMessage() and "127.0.0.1" not in warning.getMessage()
    )
