from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit import Action, record
from portal.accounts.access import session_expired
from portal.accounts.kept import forget_kept, take_kept
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
        kept = None
        if not expired and user is not None and user.is_authenticated and request.method == "GET":
            # Text typed into a form posted after the session ended, shown once on its page.
            kept = take_kept(request)
            request.kept_form = kept  # type: ignore[attr-defined]  # read by the staff frame
        response = self.get_response(request)
        if expired:
            end_unlocked_session(request, response)
        if kept is not None:
            forget_kept(request, response)
        return response
