from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal import mail, outbox
from portal.models import WorkerHeartbeat

HEARTBEATS_KEPT = timedelta(days=1)


@shared_task(acks_late=True, ignore_result=False)
def record_heartbeat() -> int:
    """Periodic proof that queued work runs: admins see the last heartbeat on the health page."""
    beat = WorkerHeartbeat.objects.create(eager=settings.CELERY_TASK_ALWAYS_EAGER)
    WorkerHeartbeat.objects.filter(at__lt=timezone.now() - HEARTBEATS_KEPT).delete()
    return beat.pk


@shared_task(acks_late=True)
def run_outbox_job(job_id: int) -> bool:
    """The nudge after a commit. Failures are the outbox's to retry (portal.outbox), not
    Celery's: the job row keeps the attempts and the back-off whichever process runs it."""
    return outbox.run(job_id)


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """On beat: deliver every outbox job the nudge did not (broker outage, killed worker)."""
    return outbox.sweep()


@shared_task(acks_late=True)
def send_staff_mail(kind: str, *user_ids: int) -> int:
    """Ids and a notice code only. Run through the outbox, which retries it with back-off."""
    return mail.send_staff_mail(kind, list(user_ids))
