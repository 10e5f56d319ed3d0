"""One error shape for the whole API: `{"error": {"code", "message", "fields"}}`.

Never a stack trace, never the submitted values (they may be secrets or tip content).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
}


def error_body(
    status_code: int, message: str, *, code: str | None = None, fields: Any = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code or _CODES.get(status_code, "error"),
            "message": message,
            "fields": fields or {},
        }
    }


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        message = _("Some fields are not valid.")
        flat = _flatten(detail)
        if isinstance(flat, dict):
            non_field = flat.pop("non_field_errors", None)
            fields = flat
            if non_field:
                message = " ".join(non_field) if isinstance(non_field, list) else str(non_field)
        else:
            message = " ".join(flat) if isinstance(flat, list) else str(flat)
    else:
        message = str(detail) if detail is not None else _("Request failed.")
    code = (
        getattr(exc, "default_code", None)
        if not isinstance(exc, exceptions.ValidationError)
        else None
    )
    response.data = error_body(response.status_code, message, code=code, fields=fields)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error_response(request: HttpRequest, status_code: int, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(status_code, message), status=status_code)
    return render(
        request, "error.html", {"status": status_code, "message": message}, status=status_code
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Django reports an oversized body as a suspicious 400; it is a plain 413 to the sender.
        return _error_response(
            request,
            413,
            _(
                "What you sent is too large. Files can be at most %(size)d MB each, and text "
                "fields have limits too. Go back: your browser usually keeps what you typed."
            )
            % {"size": settings.TIP_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
    return _error_response(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_response(request, 403, _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_response(request, 404, _("There is nothing at this address."))


# The 500 page depends on nothing that could itself be broken (templates, static manifest).
_SERVER_ERROR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>
<body><h1>Something went wrong on our side.</h1><p>Please try again in a moment.</p>
<p><a href="/">Go to the start page</a></p></body></html>
"""


def server_error(request: HttpRequest) -> HttpResponse:
    message = "Something went wrong on our side. Please try again in a moment."
    if _wants_json(request):
        return JsonResponse(error_body(500, message), status=500)
    return HttpResponse(_SERVER_ERROR_HTML, status=500)
