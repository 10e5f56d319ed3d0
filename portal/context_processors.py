from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def public_page(request: HttpRequest) -> dict[str, object]:
    """Language links for the current page (plain links, so switching sets no cookie)."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    links = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {"language_links": links, "quick_exit_url": settings.QUICK_EXIT_URL}
