"""Who may read the audit log: signed-in staff whose role has `audit.view` (supervisors).

The one place that decides it, for the page and the API alike. When the shared staff rule
(`staff_required`, which also demands a verified second factor) is available to every app,
`audit_viewer_required` and `AuditViewerPermission` become thin wrappers around it here, and
nothing else in the audit app changes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

CAPABILITY = "audit.view"

View = Callable[..., HttpResponse]


class NotSignedInError(Exception):
    pass


def require_audit_viewer(request: HttpRequest | Any) -> Any:
    """The signed-in user if they may read the audit log.

    NotSignedInError for an anonymous request; PermissionDenied (403) for a user whose role
    lacks the capability. Works with Django and DRF requests (DRF may leave `user` as None).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise NotSignedInError
    if not user.may(CAPABILITY):
        raise PermissionDenied
    return user


def audit_viewer_required(view: View) -> View:
    """For HTML views: anonymous visitors go to the sign-in page, other roles get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            require_audit_viewer(request)
        except NotSignedInError:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    wrapper.access_rule = CAPABILITY  # type: ignore[attr-defined]
    return wrapper


class AuditViewerPermission(permissions.BasePermission):
    """For API views: 401/403 JSON for anonymous requests, 403 for other roles."""

    def has_permission(self, request: Any, view: Any) -> bool:
        try:
            require_audit_viewer(request)
        except NotSignedInError:
            raise exceptions.NotAuthenticated from None
        return True


# The project's API authentication (bearer tokens once they exist), plus the same session the
# audit page accepts: one rule for both, decided by require_audit_viewer above.
API_AUTHENTICATION = list(
    dict.fromkeys([*api_settings.DEFAULT_AUTHENTICATION_CLASSES, SessionAuthentication])
)
