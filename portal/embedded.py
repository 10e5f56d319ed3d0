"""The embedded default's background work: beat and a worker on one thread of the serving process.

With no broker (`make run`, SQLite), tasks run in-process. Without this runner nothing would run
the beat schedule there, so no audit checkpoint would ever be signed and a truncated log tail
would go unnoticed. The runner, started by the WSGI entry point when tasks are eager:

- runs every `CELERY_BEAT_SCHEDULE` entry once at start-up (so a checkpoint covers what the log
  held when the portal started), then each at its interval;
- runs outbox jobs handed over by `portal.outbox.nudge`, off the request thread, so a slow mail
  server never holds a page.

Every task it runs is the same idempotent task a Celery worker would run; several serving
processes each running a runner is therefore harmless. A production deployment runs Celery beat
and workers instead, and this never starts (tasks are not eager there).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_runner: EmbeddedRunner | None = None
_lock = threading.Lock()


class EmbeddedRunner(threading.Thread):
    def __init__(self, schedule: dict[str, dict[str, str | float]]) -> None:
        super().__init__(name="embedded-runner", daemon=True)
        self.jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.intervals = {
            str(entry["task"]): float(entry["schedule"]) for entry in schedule.values()
        }
        self.next_due = dict.fromkeys(self.intervals, 0.0)  # everything once at start-up
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.run_due_tasks(time.monotonic())
            wait = max(0.0, min(self.next_due.values(), default=60.0) - time.monotonic())
            try:
                job_id = self.jobs.get(timeout=min(wait, 60.0))
            except queue.Empty:
                continue
            self._safely(f"outbox job {job_id}", partial(_run_job, job_id))

    def run_due_tasks(self, now: float) -> None:
        for name, interval in self.intervals.items():
            if self.next_due[name] <= now:
                self.next_due[name] = now + interval
                self._safely(name, partial(_run_task, name))

    def _safely(self, what: str, work: Callable[[], object]) -> None:
        # The runner's own thread keeps no connection between tasks, as a worker would not.
        own_thread = threading.current_thread() is self
        if own_thread:
            close_old_connections()
        try:
            work()
        except Exception as exc:
            logger.warning("embedded runner: %s failed (%s)", what, type(exc).__name__)
        finally:
            if own_thread:
                close_old_connections()


def _run_task(name: str) -> None:
    from portal.outbox import task_named  # noqa: PLC0415 - outbox imports this module

    task_named(name).apply(throw=True)


def _run_job(job_id: int) -> None:
    from portal import outbox  # noqa: PLC0415 - outbox imports this module

    outbox.run(job_id)


def start() -> bool:
    """Start the runner of this process, once; False when this mode has no use for it."""
    global _runner  # noqa: PLW0603 - one runner per process
    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.EMBEDDED_RUNNER):
        return False
    with _lock:
        if _runner is None:
            _runner = EmbeddedRunner(settings.CELERY_BEAT_SCHEDULE)
            _runner.start()
            logger.info("embedded runner started: beat schedule and outbox jobs in-process")
    return True


def submit(job_id: int) -> bool:
    """Hand an outbox job to the running runner; False when none runs in this process."""
    if _runner is None or not _runner.is_alive():
        return False
    _runner.jobs.put(job_id)
    return True
