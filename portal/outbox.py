"""Work that must follow a change, recorded with the change: the transactional outbox.

A tip is committed whether or not the broker answers, so what must follow it (the urgent
notification, a staff mail) cannot depend on a publish that runs after the commit. Instead:

1. `enqueue(task_name, *ids)` writes an `OutboxJob` row inside the caller's transaction: the
   job exists exactly when the change does.
2. After the commit, a *nudge* publishes "run job N" with a short broker timeout
   (`OUTBOX_NUDGE_TIMEOUT`, about a second for connect and publish). A broker that is down or
   hung costs the request that second and a warning, never an error: the caller's answer (a
   receipt, a staff page) does not depend on it.
3. `sweep()` runs on beat (`OUTBOX_SWEEP_SECONDS`) and runs, in the sweeping worker, every job
   the nudge did not deliver, every job whose runner was killed (its lease ran out), and every
   failed attempt whose back-off has passed.

A job is claimed by a conditional update that sets a lease (`OUTBOX_LEASE_SECONDS`, a few
minutes above the longest job), so two runners never run it at once and a killed runner's job
is taken over when its lease ends. Delivery is at least once: the named tasks are idempotent
(each claims its own effect, e.g. `Tip.urgent_notified_at`). A job that keeps failing is retried
with exponential back-off, capped at an hour, and never given up; from `OUTBOX_MAX_ATTEMPTS`
failures on, each failure is logged at ERROR for a person to look at.

Under the embedded default (no broker) the nudge hands the job to the in-process runner
(`portal.embedded`) when one is serving, else runs it right after the commit.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.models import OutboxJob

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
KEEP_DONE = timedelta(days=1)


def enqueue(task_name: str, *args: int | str) -> OutboxJob:
    """Record a job in the current transaction; it is nudged once the transaction commits.

    `args` are ids and codes only: a job row is never a copy of content.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue() belongs inside the transaction of the change")
    now = timezone.now()
    job = OutboxJob.objects.create(
        task=task_name,
        args=list(args),
        created_at=now,
        run_after=now + timedelta(seconds=settings.OUTBOX_GRACE_SECONDS),
    )
    # robust: whatever the nudge raises is logged, and the caller's answer stands.
    transaction.on_commit(lambda: nudge(job.pk), robust=True)
    return job


def nudge(job_id: int) -> None:
    """Best effort: have a worker run the job now. Never raises; the sweeper is the guarantee."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        from portal import embedded  # noqa: PLC0415 - only the embedded default needs it

        if not embedded.submit(job_id):
            run(job_id)
        return
    from portal.celery import broker_connection  # noqa: PLC0415 - the app imports settings
    from portal.tasks import run_outbox_job  # noqa: PLC0415 - tasks import this module

    try:
        with broker_connection(settings.OUTBOX_NUDGE_TIMEOUT) as connection:
            run_outbox_job.apply_async((job_id,), connection=connection, retry=False)  # type: ignore[call-arg]  # Celery passes it on to send_task; celery-types omits it
    except Exception as exc:
        logger.warning(
            "broker unavailable (%s): outbox job %s left for the sweeper",
            type(exc).__name__,
            job_id,
        )


def run(job_id: int) -> bool:
    """Claim the job and run its task here; True when it ran to completion now.

    Returns False when it failed (it is retried later), or when there was nothing to do: done
    already, or held by another runner whose lease has not ended.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboxJob.objects.filter(pk=job_id, done_at__isnull=True)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    job = OutboxJob.objects.get(pk=job_id)
    try:
        task_named(job.task).run(*job.args)
    except Exception as exc:
        _failed(job, exc)
        return False
    OutboxJob.objects.filter(pk=job_id).update(done_at=timezone.now(), leased_until=None)
    return True


def sweep() -> int:
    """Run every pending job whose time has come; returns how many completed.

    Also forgets finished jobs made more than a day ago.
    """
    moment = timezone.now()
    due = (
        OutboxJob.objects.filter(done_at__isnull=True, run_after__lte=moment)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=moment))
        .order_by("run_after")
        .values_list("pk", flat=True)
    )
    completed = sum(1 for job_id in list(due[:SWEEP_BATCH]) if run(job_id))
    # By creation time, which the `outbox_created` index serves (a job is done after it is made).
    OutboxJob.objects.filter(created_at__lt=moment - KEEP_DONE, done_at__isnull=False).delete()
    return completed


def backlog() -> int:
    """Jobs waiting to be delivered (the health page)."""
    return OutboxJob.objects.filter(done_at__isnull=True).count()


def failing() -> int:
    """Jobs that failed `OUTBOX_MAX_ATTEMPTS` times or more and are still retried hourly: a
    person must look at `last_error` (the health page)."""
    return OutboxJob.objects.filter(
        done_at__isnull=True, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
    ).count()


def _failed(job: OutboxJob, exc: Exception) -> None:
    # Never given up: a notification that an urgent tip waits must go out however long the
    # mail server is away. The back-off stops growing at an hour; past OUTBOX_MAX_ATTEMPTS each
    # failure is an error for a person to look at.
    attempts = job.attempts
    delay = timedelta(seconds=min(settings.OUTBOX_GRACE_SECONDS * 2**attempts, 3600))
    OutboxJob.objects.filter(pk=job.pk).update(
        leased_until=None,
        run_after=timezone.now() + delay,
        last_error=type(exc).__name__[:200],
    )
    log = logger.error if attempts >= settings.OUTBOX_MAX_ATTEMPTS else logger.warning
    log(
        "outbox job %s (%s) failed %s times (%s); retry in %s s",
        job.pk,
        job.task,
        attempts,
        type(exc).__name__,
        int(delay.total_seconds()),
    )


def task_named(name: str) -> Task:
    """The Celery task of this dotted name, importing its module if this process has not."""
    from portal.celery import app  # noqa: PLC0415 - the Celery app imports settings

    if name not in app.tasks:
        with contextlib.suppress(ImportError):
            importlib.import_module(name.rpartition(".")[0])
    return app.tasks[name]
