"""Periodic triage work (Celery beat). Thin: the logic and its idempotence live in actions."""

from __future__ import annotations

from celery import shared_task

from triage import actions


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=8, retry_backoff=True)
def escalate_overdue() -> int:
    return actions.do_escalate_overdue()
