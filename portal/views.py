from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import health
from portal.accounts.access import PUBLIC, public
from portal.errors import error_body, mark_logged
from portal.indexing import ROBOTS_TXT, indexable


class SchemaView(SpectacularAPIView):
    access_rule = PUBLIC


class DocsView(SpectacularSwaggerSplitView):
    access_rule = PUBLIC


@public
@require_safe
@indexable
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/landing.html")


@public
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")


@public
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page links; the file lives with the static ones.
    return HttpResponsePermanentRedirect(static("portal/favicon.ico"))


PROBE_METHODS = ("GET", "HEAD")


def _probe_response(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    """JSON for GET, the same headers and no body for HEAD, 405 JSON for anything else.

    These answer before every other middleware (`portal.middleware.ProbeMiddleware`), so they
    set the one header that matters to a probe themselves.
    """
    if request.method not in PROBE_METHODS:
        status, body = 405, error_body(405, "Method not allowed: use GET or HEAD.")
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    if status == 405:
        response["Allow"] = ", ".join(PROBE_METHODS)
    if request.method == "HEAD":
        response.content = b""
    if status == 503:
        # Not an error of this request: the body says what is down, and a load balancer
        # probing every few seconds would fill the log with one line per probe.
        mark_logged(response)
    return response


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers HTTP. Touches no dependency, so a database or broker
    outage never makes an orchestrator restart healthy app servers."""
    return _probe_response(request, 200, {"status": "ok"})


@public
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when every dependency answers, 503 otherwise (see `portal.health`)."""
    if request.method not in PROBE_METHODS:
        return _probe_response(request, 405, {})
    report = health.readiness()
    return _probe_response(request, report.http_status, report.as_dict())
