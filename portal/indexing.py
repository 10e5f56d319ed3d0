"""What search engines may index: the public doors only.

People must find the tip line through a search engine, so the landing, tip and help pages are
indexable, each with a description in its language. Everything else (the follow-up page, a
receipt, every staff page, the API) stays `noindex`: `PrivacyHeadersMiddleware` sends
`X-Robots-Tag: noindex, noarchive` unless a view marked here says otherwise, and the pages carry
the same in a robots meta tag. `noarchive` stays everywhere: no search engine keeps a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

INDEXABLE_ROBOTS = "noarchive"


def indexable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page as first shown (a GET or HEAD answered 200) may be indexed; what a POST shows,
    a receipt or a form with errors, is not."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response["X-Robots-Tag"] = INDEXABLE_ROBOTS
        return response

    return wrapper


ROBOTS_TXT = """\
User-agent: *
Disallow: /follow-up/
Disallow: /es/follow-up/
Disallow: /staff/
Disallow: /triage/
Disallow: /handoffs/
Disallow: /audit/
Disallow: /api/
Disallow: /django-admin/
"""
