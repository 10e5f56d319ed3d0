from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.accounts import lockout
from portal.accounts.models import StaffSession


@shared_task(acks_late=True)
def prune_sign_in_records() -> None:
    """Drop failures older than the lockout window and session links whose session is gone.

    Idempotent: running it twice deletes nothing more.
    """
    lockout.forget_old_failures()
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    StaffSession.objects.exclude(session_key__in=live).delete()
