"""No staff work is lost when a session ends: a form posted after the idle sign-out.

The form's page, not its POST-only action, is where sign-in leads back to (`return_to`): the
page the form was on (its same-origin Referer), or the staff home. What was typed goes with the
browser, never to the server's storage: the staff script keeps drafts in the tab's session
storage and puts them back after sign-in; without JavaScript, the typed text travels in a
short-lived cookie (`KEPT_COOKIE`: signed so it cannot be forged, HttpOnly, Secure,
SameSite=Strict, scoped to that page's path, ten minutes) and the page shows it once, then the
cookie is deleted. Text too long for a cookie is left to the script.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

KEPT_COOKIE = "kept-form"
KEPT_SECONDS = 600
KEPT_SALT = "portal.accounts.kept-form"
# A cookie holds about 4 KB; the signed, compressed text must fit with room to spare.
MAX_COOKIE_CHARS = 3800
SKIPPED_FIELDS = {"csrfmiddlewaretoken", "password", "otp_token", "back"}


def return_to(request: HttpRequest) -> str:
    """Where sign-in leads back to: this page for a GET; for a POST, the page the form was on,
    never the POST-only URL it was sent to."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.startswith("/") and not parts.path.startswith(settings.LOGIN_URL):
            return path
    return reverse("accounts:home")


def to_sign_in(request: HttpRequest) -> HttpResponse:
    """The answer to a staff page reached without a session: sign-in, then back; a posted form
    keeps its text (see the module docstring)."""
    target = return_to(request)
    query = {"next": target}
    if request.method == "POST":
        query["ended"] = "1"
    response = HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode(query)}")
    if request.method == "POST":
        _keep(request, response, target)
    return response


def _keep(request: HttpRequest, response: HttpResponse, target: str) -> None:
    fields = {
        name: value
        for name, value in request.POST.items()
        if name not in SKIPPED_FIELDS and isinstance(value, str) and value.strip()
    }
    if not fields:
        return
    value = signing.dumps({"action": request.path, "fields": fields}, salt=KEPT_SALT, compress=True)
    if len(value) > MAX_COOKIE_CHARS:
        return
    response.set_cookie(
        KEPT_COOKIE,
        value,
        max_age=KEPT_SECONDS,
        path=urlsplit(target).path,
        secure=settings.COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def take_kept(request: HttpRequest) -> dict[str, Any] | None:
    """The text kept for this page, if any (the caller deletes the cookie)."""
    value = request.COOKIES.get(KEPT_COOKIE)
    if not value:
        return None
    try:
        kept = signing.loads(value, salt=KEPT_SALT, max_age=KEPT_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(kept, dict) or not isinstance(kept.get("fields"), dict):
        return None
    return kept


def forget_kept(request: HttpRequest, response: HttpResponse) -> None:
    response.delete_cookie(KEPT_COOKIE, path=request.path, samesite="Strict")
