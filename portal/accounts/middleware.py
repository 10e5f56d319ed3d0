from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit import Action, record
from portal.accounts.access import session_expired
from portal.vault.session import end_unlocked_session


class StaffSessionMiddleware:
    """Signs staff out after the idle timeout or the absolute lifetime, whichever comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        expired = False
        if user is not None and user.is_authenticated:
            if session_expired(request.session):
                record(Action.SESSION_EXPIRED, actor=user, target=user)
                logout(request)  # flushes the session, and the sealed vault key with it
                expired = True
            else:
                request.session["last_seen"] = timezone.now().timestamp()
        response = self.get_response(request)
        if expired:
            end_unlocked_session(request, response)
        return response
