from __future__ import annotations

from celery import shared_task

from tips import actions


@shared_task(acks_late=True)
def notify_urgent_tip(tip_id: int) -> int | None:
    """Ids only: the task never sees tip content. Idempotent (see do_notify_urgent); run as an
    outbox job, which retries it."""
    return actions.do_notify_urgent(tip_id)


@shared_task(acks_late=True)
def forget_retry_copies() -> int:
    """Hourly: sealed answers for retried submissions live only as long as the retry window."""
    return actions.do_forget_retry_copies()
