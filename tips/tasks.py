from __future__ import annotations

from celery import shared_task

from tips import actions


# SMTPException is an OSError: a mail server that is down retries with backoff.
@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=8, retry_backoff=True)
def notify_urgent_tip(tip_id: int) -> int | None:
    """Ids only: the task never sees tip content. Idempotent (see do_notify_urgent)."""
    return actions.do_notify_urgent(tip_id)
