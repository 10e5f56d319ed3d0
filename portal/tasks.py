from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.models import WorkerHeartbeat

HEARTBEATS_KEPT = timedelta(days=1)


@shared_task(acks_late=True, ignore_result=False)
def record_heartbeat() -> int:
    """Periodic proof that queued work runs: admins see the last heartbeat on the health page."""
    beat = WorkerHeartbeat.objects.create(eager=settings.CELERY_TASK_ALWAYS_EAGER)
    WorkerHeartbeat.objects.filter(at__lt=timezone.now() - HEARTBEATS_KEPT).delete()
    return beat.pk
