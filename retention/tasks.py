"""Nightly purge and hourly warnings (Celery beat). Thin: the logic lives in actions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from retention import actions


@shared_task(acks_late=True)
def purge_expired() -> str:
    """The same run as `manage.py purge_expired`; idempotent (a purged tip is gone, a held or
    busy one is looked at again next night)."""
    return actions.do_purge_expired(batch=settings.RETENTION_PURGE_BATCH).line()


@shared_task(acks_late=True)
def warn_of_purges() -> int:
    return actions.do_warn_of_purges()
