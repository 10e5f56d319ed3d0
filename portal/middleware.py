from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
