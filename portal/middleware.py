from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import LocalePrefixPattern, Resolver404, URLResolver, get_resolver
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from portal import errors

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), display-capture=(), fullscreen=(), payment=()"
)


class PrivacyHeadersMiddleware:
    """Headers that Django's SecurityMiddleware does not set.

    `no-store`: neither a shared computer's browser cache nor a proxy keeps a page that shows a
    tip, a receipt or a case (static files are served before this runs and stay cacheable).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Cache-Control", "no-store")
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Robots-Tag", "noindex, noarchive")
        return response


class ProbeMiddleware:
    """Answers `/healthz/` and `/readyz/` before any other middleware runs. First in MIDDLEWARE.

    A load balancer probes by address (its Host header is no name in ALLOWED_HOSTS) and over
    plain HTTP (SECURE_SSL_REDIRECT is on in production): host validation, the HTTPS redirect,
    sessions, locale and CSRF would answer it with a 400 page or a 301. The probes read no
    cookie, no header and no host, so skipping all of that is safe. The URL names `healthz` and
    `readyz` resolve to the same views, so `reverse()` still works.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        from portal import views  # noqa: PLC0415 - views import DRF, loaded once apps are ready

        self.probes: dict[str, Callable[[HttpRequest], HttpResponse]] = {
            "/healthz/": views.healthz,
            "/readyz/": views.readyz,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)


def is_public_path(path_info: str, urlconf: str | None = None) -> bool:
    """A tipster's page: under a language prefix (`/es/...`) or one of the unprefixed English
    pages of `i18n_patterns` (landing, tip form, help, follow-up). Everything else is staff's.

    Asked after LocaleMiddleware, whose active language gives the prefix the patterns match.
    """
    if translation.get_language_from_path(path_info):
        return True
    for entry in get_resolver(urlconf).url_patterns:
        if isinstance(entry, URLResolver) and isinstance(entry.pattern, LocalePrefixPattern):
            try:
                entry.resolve(path_info.removeprefix("/"))
            except Resolver404:
                continue
            return True
    return False


def browser_language(request: HttpRequest) -> str:
    """The first of the portal's languages the browser's Accept-Language asks for; English when
    it asks for none. The language cookie and the path play no part."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class StaffLanguageMiddleware:
    """Staff pages in the signed-in member's own language. Right after LocaleMiddleware.

    Staff addresses have no language prefix, so LocaleMiddleware renders them in English. For a
    signed-in member on a staff page this activates `User.language`, or, when that is blank,
    the browser's Accept-Language choice among the portal's languages; `<html lang>` and
    Content-Language follow. It works in `process_view`, once authentication has run (later in
    MIDDLEWARE). Public pages, their `/es/` forms and the API are left exactly as they were:
    an anonymous or signed-in visitor of a tipster's page gets the language of its address.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, "staff_language", "")
        if language:
            response.headers["Content-Language"] = language
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith("/api/"):
            return
        if is_public_path(request.path_info, getattr(request, "urlconf", None)):
            return
        chosen = user.language if user.language in dict(settings.LANGUAGES) else ""
        language = chosen or browser_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        request.staff_language = language  # type: ignore[attr-defined]  # read on the way out


# What Django itself answers with a 4xx (django.core.handlers.exception): not a server error.
_CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class ApiExceptionMiddleware:
    """An exception escaping an `/api/` view answers JSON in the error shape, whatever DEBUG is:
    503 `unavailable` when the database is (OperationalError, InterfaceError), else 500.

    Exceptions raised by other middleware reach `handler500` (`portal.errors.server_error`),
    which answers the same. Last in MIDDLEWARE, so it sees view exceptions first.

    An address under `/api/` that matches no route is the JSON 404 of `handler404` too: with
    DEBUG on, Django would answer its technical HTML page instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return errors.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path_info.startswith("/api/") or isinstance(exception, _CLIENT_ERRORS):
            return None
        return errors.unhandled_api_error(request, exception)
