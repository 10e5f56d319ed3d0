"""Account lockout after repeated failures, keyed by the username typed, never by address.

Failures of either factor count. Unknown usernames are counted too, so a locked-out message
says nothing about whether an account exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.accounts.models import SignInFailure


def _window_start() -> object:
    return timezone.now() - timedelta(seconds=settings.LOCKOUT_PERIOD)


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def is_locked(username: str) -> bool:
    recent = SignInFailure.objects.filter(username=_key(username), at__gte=_window_start())
    return recent.count() >= settings.LOCKOUT_FAILURES


def note_failure(username: str) -> bool:
    """Record one failure; True when this failure is the one that locks the account."""
    SignInFailure.objects.create(username=_key(username))
    recent = SignInFailure.objects.filter(username=_key(username), at__gte=_window_start())
    return recent.count() == settings.LOCKOUT_FAILURES


def clear(username: str) -> None:
    SignInFailure.objects.filter(username=_key(username)).delete()


def forget_old_failures() -> int:
    deleted, _ = SignInFailure.objects.filter(at__lt=_window_start()).delete()
    return deleted
