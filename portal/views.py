from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.accounts.access import PUBLIC, public


class SchemaView(SpectacularAPIView):
    access_rule = PUBLIC


class DocsView(SpectacularSwaggerSplitView):
    access_rule = PUBLIC


@public
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/landing.html")


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: the app answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
