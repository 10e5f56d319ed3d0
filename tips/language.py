"""The first visit to / picks the language from the browser's Accept-Language header.

English lives at / and Spanish at /es/ (i18n_patterns with no prefix for the default), and the
language switch is plain links that set no cookie. So a phone set to Spanish that opens / is
sent to /es/ once: only when it arrives from elsewhere (no same-site Referer, sent because the
referrer policy is same-origin) and has no language cookie. Someone who picks "English" on a
Spanish page follows a same-site link to / and stays there.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


class FirstVisitLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"} or request.path_info != "/":
            return self.get_response(request)
        wanted = self._wanted(request)
        if wanted and wanted != settings.LANGUAGE_CODE:
            query = request.META.get("QUERY_STRING", "")
            target = translate_url("/", wanted) + (f"?{query}" if query else "")
            response: HttpResponse = HttpResponseRedirect(target)
        else:
            response = self.get_response(request)
        # Caches must keep the answers for each language and each visitor kind apart.
        patch_vary_headers(response, ("Accept-Language", "Cookie", "Referer"))
        return response

    @staticmethod
    def _wanted(request: HttpRequest) -> str:
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return ""
        referer = request.headers.get("Referer", "")
        if referer and urlsplit(referer).netloc == request.get_host():
            return ""
        if not request.headers.get("Accept-Language"):
            return ""
        return translation.get_language_from_request(request, check_path=False)
