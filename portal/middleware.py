from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

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
