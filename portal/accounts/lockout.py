"""Account lockout after repeated failures, keyed by the username typed, never by address.

Failures of either factor count. Unknown usernames are counted too, so a locked-out message
says nothing about whether an account exists. Each attempt is recorded *before* the password
or code is checked (autocommit, so parallel requests see each other's rows): a burst of
simultaneous guesses cannot slip past the limit while the slow hash runs.
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


def _recent(username: str) -> int:
    return SignInFailure.objects.filter(username=_key(username), at__gte=_window_start()).count()


def is_locked(username: str) -> bool:
    return _recent(username) >= settings.LOCKOUT_FAILURES


def reserve(username: str) -> SignInFailure | None:
    """Count this attempt as a failure until it succeeds; None when the account is locked."""
    if is_locked(username):
        return None
    attempt = SignInFailure.objects.create(username=_key(username))
    if _recent(username) > settings.LOCKOUT_FAILURES:
        attempt.delete()  # a parallel request took the last try
        return None
    return attempt


def release(attempt: SignInFailure) -> None:
    """This step passed: it was not a failure (earlier failures still count)."""
    SignInFailure.objects.filter(pk=attempt.pk).delete()


def just_locked(username: str) -> bool:
    return _recent(username) == settings.LOCKOUT_FAILURES


def clear(username: str) -> None:
    SignInFailure.objects.filter(username=_key(username)).delete()


def forget_old_failures() -> int:
    deleted, _ = SignInFailure.objects.filter(at__lt=_window_start()).delete()
    return deleted
