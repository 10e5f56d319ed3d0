"""Periodic handoff work (Celery beat). Thin: the logic and its idempotence live in actions."""

from __future__ import annotations

from celery import shared_task

from handoffs import actions


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=8, retry_backoff=True)
def alert_overdue() -> int:
    return actions.do_alert_overdue()


@shared_task(acks_late=True, max_retries=8, retry_backoff=True)
def expire_consents() -> int:
    return actions.do_expire_consents()
