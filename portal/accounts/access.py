"""Who may reach a staff page or API endpoint: signed in, second factor verified, role allows.

Every staff view declares its rule with `staff_required(capability)` (HTML) or by setting
`access_rule` on an API view (`StaffAPIView`, `staff_api`); public views say `public`. The
permission-matrix test walks every URL and fails on a view that declares nothing.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeGuard

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from portal import vault
from portal.accounts import secrets as otp_secrets
from portal.accounts.kept import to_sign_in
from portal.accounts.models import ApiToken
from portal.roles import ALL_CAPABILITIES

if TYPE_CHECKING:
    from portal.models import User

PUBLIC = "public"
View = Callable[..., HttpResponse]
P = ParamSpec("P")


class StaffRequest(HttpRequest):
    """For type checking only: the request a `staff_required` view is called with.

    Its `user` is a signed-in, verified, active staff `User`, never `AnonymousUser`. No
    instance is ever made: the decorator narrows the `HttpRequest` it was given.
    """

    user: User


class StaffAPIRequest(Request):
    """The same for a `StaffAPIView` method: `HasCapability` let only staff through."""

    user: User


def public(view: View) -> View:
    view.access_rule = PUBLIC  # type: ignore[attr-defined]  # a mark on the view function
    return view


def is_verified_staff(user: Any) -> TypeGuard[User]:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_verified", lambda: False)()
    )


def is_staff_request(request: HttpRequest) -> TypeGuard[StaffRequest]:
    return is_verified_staff(request.user)


def staff_required(
    capability: str,
) -> Callable[
    [Callable[Concatenate[StaffRequest, P], HttpResponseBase]],
    Callable[Concatenate[HttpRequest, P], HttpResponseBase],
]:
    """A view taking a `StaffRequest` becomes one taking any `HttpRequest`, checked first."""
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(
        view: Callable[Concatenate[StaffRequest, P], HttpResponseBase],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not is_staff_request(request):
                # Back to this page after sign-in; a posted form goes back to its page with
                # its text kept, never to the POST-only URL (portal.accounts.kept).
                return to_sign_in(request)
            if not request.user.may(capability):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except vault.Shredded:
                # Crypto-shredded (consent withdrawn, purged): gone for everyone, not locked.
                return render(request, "gone.html", status=410)
            except (vault.Locked, vault.NoDeskAccess):
                # Whatever page it is: say what is missing (403), never a server error.
                return render(request, "locked.html", status=403)

        wrapper.access_rule = capability  # type: ignore[attr-defined]  # a mark on the view function
        return wrapper

    return decorator


# --- API -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BearerCredentials:
    token: ApiToken
    secret: bytes

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"BearerCredentials(prefix={self.token.prefix!r})"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <prefix>.<secret>`; the secret is never stored, only its hash."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, BearerCredentials] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, value = header.partition(" ")
        if scheme != self.keyword:
            return None
        prefix, _, secret = value.strip().partition(".")
        token = (
            ApiToken.objects.select_related("user").filter(prefix=prefix).first()
            if prefix and secret
            else None
        )
        if (
            token is None
            or not hmac.compare_digest(token.secret_hash, otp_secrets.keyed_hash(secret))
            or not token.is_live()
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed("The token is not valid or has expired.")
        padded = secret + "=" * (-len(secret) % 4)
        return token.user, BearerCredentials(token, base64.urlsafe_b64decode(padded))

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """A browser session counts for the API only once the second factor was verified."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not is_verified_staff(result[0]):
            return None
        return result


class HasCapability(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        rule = getattr(view, "access_rule", None)
        if rule is None:
            return False  # an endpoint that declares nothing is open to nobody
        if rule == PUBLIC:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            raise exceptions.NotAuthenticated
        return bool(user.may(rule))


def unlocked_keys(request: HttpRequest | Request) -> vault.UnlockedKeys | None:
    """The caller's unlocked personal key: from the bearer token's secret or the session."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, BearerCredentials):
        if auth.token.sealed_vault is None:
            return None
        try:
            return vault.session.open_personal_key(
                auth.token.user, bytes(auth.token.sealed_vault), auth.secret
            )
        except vault.Locked:
            return None
    return vault.session.unlocked_keys(getattr(request, "_request", request))


def keys_or_locked(request: HttpRequest | Request) -> vault.UnlockedKeys:
    """The caller's unlocked keys, or `vault.Locked` when the session or token holds none (the
    API answers 403 `vault_locked`; pages say so)."""
    unlocked = unlocked_keys(request)
    if unlocked is None:
        raise vault.Locked("Your vault is locked: sign in again.")
    return unlocked


def session_expired(session: Any) -> bool:
    """Idle timeout and absolute lifetime of a staff session."""
    now = timezone.now().timestamp()
    last_seen = session.get("last_seen", now)
    signed_in_at = session.get("signed_in_at", now)
    return (
        now - last_seen > settings.SESSION_IDLE_TIMEOUT
        or now - signed_in_at > settings.SESSION_COOKIE_AGE
    )
