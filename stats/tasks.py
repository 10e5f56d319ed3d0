from __future__ import annotations

from celery import shared_task

from stats import rollup


@shared_task(acks_late=True, max_retries=3, retry_backoff=True)
def roll_up() -> int:
    """Keep the daily statistics roll-ups (safe to run twice: each day is replaced at once)."""
    return rollup.roll_up()
