"""One error shape for the whole API: `{"error": {"code", "message", "fields"}}`.

Never a stack trace, never the submitted values (they may be secrets or tip content).
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousMultipartForm,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.accounts.access import is_verified_staff
from portal.outcomes import ActionError
from portal.vault import errors as vault

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
    503: "unavailable",
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


class UploadLimit(RequestDataTooBig):
    """The files of one request broke a limit (too many, too large together): the upload
    handler raises subclasses of this, and the API names `attachments` in its 413."""


class UploadProblem(SuspiciousMultipartForm):
    """A multipart body broken inside a file part (the upload handler raises subclasses)."""


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"

    def __init__(self, detail: str, *, about_files: bool) -> None:
        super().__init__(detail)
        self.about_files = about_files


class Purged(Http404):
    """A record purged under the retention policy: 410 with what its tombstone keeps (`extra`,
    plaintext metadata only) on the API, the "gone" page on pages."""

    def __init__(self, extra: dict[str, Any]) -> None:
        super().__init__("Purged under the retention policy.")
        self.extra = extra


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This tip was purged under the retention policy."
    default_code = "purged"

    def __init__(self, extra: dict[str, Any]) -> None:
        super().__init__()
        self.extra = extra


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class VaultLocked(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Your vault is locked: sign in again to read or write content."
    default_code = "vault_locked"


def _action_outcome(outcome: ActionError) -> exceptions.APIException:
    if outcome.status_code == status.HTTP_403_FORBIDDEN:
        return exceptions.PermissionDenied(outcome.message)
    if outcome.status_code == status.HTTP_400_BAD_REQUEST:
        # A 400 about a field names it in `fields`; the message stays the action's.
        if outcome.field:
            return exceptions.ValidationError(
                {outcome.field: [outcome.message], "non_field_errors": [outcome.message]}
            )
        return exceptions.ValidationError(outcome.message)
    return Conflict(outcome.message)


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _as_api_exception(exc: Exception) -> Exception:  # noqa: PLR0911 - one answer per kind
    """Exceptions the API answers for that DRF does not know, as the APIException it answers."""
    if isinstance(exc, ActionError):
        return _action_outcome(exc)
    if isinstance(exc, vault.Locked):
        return VaultLocked()
    if isinstance(exc, vault.NoDeskAccess):
        return exceptions.PermissionDenied("You do not hold this desk's key.")
    if isinstance(exc, Purged):
        return Gone(exc.extra)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, SuspiciousMultipartForm):
        # A malformed or cut-off multipart body: a 400 saying so, with DEBUG on or off; a file
        # cut off is named where it belongs.
        about_files = isinstance(exc, UploadProblem)
        return exceptions.ValidationError(
            {"attachments": [str(exc)], "non_field_errors": [str(exc)]} if about_files else str(exc)
        )
    if isinstance(exc, RequestDataTooBig):
        # Raised while DRF reads the body (too many files, files too large in total): the same
        # 413 with the error shape whatever DEBUG says, naming the files where it is about them.
        return TooLarge(str(exc), about_files=isinstance(exc, UploadLimit))
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    fields: dict[str, Any] = {}
    if isinstance(exc, TooLarge) and exc.about_files:
        fields = {"attachments": [str(detail)]}
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
    elif isinstance(detail, dict):
        # Another status about named fields (a 404 for an assignee nobody has): name them too.
        fields = _flatten(detail)
        message = " ".join(
            " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
            for messages in fields.values()
        )
    else:
        message = str(detail) if detail is not None else _("Request failed.")
    code = (
        getattr(exc, "default_code", None)
        if not isinstance(exc, exceptions.ValidationError)
        else None
    )
    response.data = error_body(response.status_code, message, code=code, fields=fields)
    if isinstance(exc, Gone):
        response.data.update(exc.extra)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path in PROBE_PATHS


# Answered as JSON whatever fails: load balancers and monitors read these (portal/views.py).
PROBE_PATHS = frozenset({"/healthz/", "/readyz/"})


def _error_response(request: HttpRequest, status_code: int, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(status_code, message), status=status_code)
    return error_page(request, status_code, message)


def error_page(request: HttpRequest, status_code: int, message: str) -> HttpResponse:
    """An error page in the frame of whoever reads it: a signed-in staff member whose second
    factor is verified stays in the staff frame (navigation, sign-out, the way home); anyone
    else, a member halfway through signing in included, gets the public page, which says
    nothing of staff pages."""
    template = "staff_error.html" if _for_staff(request) else "error.html"
    return render(
        request, template, {"status": status_code, "message": message}, status=status_code
    )


def _for_staff(request: HttpRequest) -> bool:
    # An error raised before the authentication middleware ran leaves no `user`: the public.
    return is_verified_staff(getattr(request, "user", None))


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
    if isinstance(exception, Purged) and not _wants_json(request):
        return render(request, "gone.html", status=410)
    return _error_response(request, 404, _("There is nothing at this address."))


# The public 500 page depends on nothing that could itself be broken (templates, static
# manifest); staff get theirs in the staff frame when it can be drawn, this one otherwise.
_SERVER_ERROR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>
<body><h1>Something went wrong on our side.</h1><p>Please try again in a moment.</p>
<p><a href="/">Go to the start page</a></p></body></html>
"""


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django has logged the exception already; for the API it answers like
    `unhandled_api_error` (503 when the database is unavailable)."""
    if _wants_json(request):
        return _api_error_response(sys.exception())
    return _staff_server_error(request) or HttpResponse(_SERVER_ERROR_HTML, status=500)


def _staff_server_error(request: HttpRequest) -> HttpResponse | None:
    """The 500 page in the staff frame for a verified member; None for anyone else, or when
    the frame cannot be drawn: whatever broke the request (the database, a template) may break
    it too, and the plain page must still come out."""
    try:
        if not _for_staff(request):
            return None
        message = _("Something went wrong on our side. Please try again in a moment.")
        return error_page(request, 500, message)
    except Exception:
        return None


# The database is down, restarting or unreachable: worth a retry, not a bug in the request.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _api_error_response(exception: BaseException | None) -> JsonResponse:
    if isinstance(exception, DATABASE_UNAVAILABLE):
        message = "The service is briefly unavailable. Please try again in a moment."
        return JsonResponse(error_body(503, message), status=503)
    message = "Something went wrong on our side. Please try again in a moment."
    return JsonResponse(error_body(500, message), status=500)


def unhandled_api_error(request: HttpRequest, exception: BaseException) -> JsonResponse:
    """The JSON answer to an exception that escaped an API view, logged once at ERROR.

    The log line names the method, the path, the exception classes (with PostgreSQL's SQLSTATE
    when there is one) and the stack, but no exception message: messages can quote what was
    submitted (a value that failed to parse, a key that already exists), and tip content
    never reaches a log. Nor does any part of the request beyond its method and path.
    """
    response = _api_error_response(exception)
    logger.error(
        "%s %s answered %s after %s; stack, messages withheld:\n%s",
        request.method,
        request.path,
        response.status_code,
        _exception_chain(exception),
        "".join(traceback.format_list(traceback.extract_tb(exception.__traceback__))).rstrip(),
    )
    return mark_logged(response)


def mark_logged[R: HttpResponseBase](response: R) -> R:
    """Keep Django from logging this response ("Service Unavailable: /path") once more.

    `django.utils.log.log_response` skips a response with this flag; Django's own exception
    handling sets it the same way once it has logged.
    """
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own private flag
    return response


def _exception_chain(exception: BaseException) -> str:
    """`OperationalError <- psycopg.errors.AdminShutdown [57P01]`: classes and codes only."""
    names: list[str] = []
    current: BaseException | None = exception
    while current is not None and len(names) < 5:
        name = type(current).__qualname__
        module = type(current).__module__
        if module not in {"builtins", "django.db.utils"}:
            name = f"{module}.{name}"
        sqlstate = getattr(current, "sqlstate", None)
        names.append(f"{name} [{sqlstate}]" if isinstance(sqlstate, str) else name)
        current = current.__cause__ or current.__context__
    return " <- ".join(names)
