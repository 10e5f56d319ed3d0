"""A deadline on the request body, for an app server that faces clients without a buffering proxy.

A sync gunicorn worker serves one request at a time: a client that announces a body and then
sends it one byte a second (or never) holds that worker until gunicorn's 30 s timeout kills it
with an HTML 500, and twenty such clients hold every worker (issue 14). The shipped nginx
(deploy/nginx/) buffers the whole body before gunicorn sees it, so there the body arrives on
the Unix socket at once; this guard is the bound for deployments without it (`make run`-like
gunicorn on TCP).

Every read of `wsgi.input` must finish within REQUEST_BODY_TIMEOUT_SECONDS of the request's
start. In a sync worker (the request runs on the process's main thread) an interval timer
interrupts a `recv` that is still waiting at the deadline, however slowly bytes trickle in; on
other threads, where signals cannot be delivered, the socket's timeout bounds each wait for the
next bytes instead (`environ["gunicorn.socket"]`). A body that misses the deadline is answered
with a JSON 408 in the API's error shape, whatever the application made of the truncated body,
and the connection is closed.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation.trans_real import parse_accept_lang_header

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MESSAGE = gettext_noop("The request body did not arrive in time.")


class BodyDeadlineExceeded(BadRequest):
    """Raised from a read of the body past its deadline. A BadRequest, so that whatever reads the
    body (Django, DRF) answers it as a client error without logging a traceback; the guard then
    replaces that answer with its 408."""


class SkipBodyDeadlineTraceback(logging.Filter):
    """On `django.request`: Django logs the BadRequest with its traceback; the guard's own
    one-line warning says all there is to say."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        return not (exc_info and isinstance(exc_info[1], BodyDeadlineExceeded))


class _DeadlineInput:
    """`wsgi.input` whose reads end at a deadline."""

    def __init__(self, stream: Any, sock: socket.socket | None, deadline: float) -> None:
        self._stream = stream
        self._socket = sock
        self._deadline = deadline
        self.expired = False

    def read(self, *args: Any) -> bytes:
        return self._call(self._stream.read, *args)

    def readline(self, *args: Any) -> bytes:
        return self._call(self._stream.readline, *args)

    def readlines(self, *args: Any) -> list[bytes]:
        return self._call(self._stream.readlines, *args)

    def __iter__(self) -> _DeadlineInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        remaining = self._deadline - time.monotonic()
        if self.expired or remaining <= 0:
            self._expire()
        on_main_thread = threading.current_thread() is threading.main_thread()
        previous_timeout = self._socket.gettimeout() if self._socket is not None else None
        previous_handler: Any = None
        try:
            if self._socket is not None:
                self._socket.settimeout(remaining)
            if on_main_thread:
                previous_handler = signal.signal(signal.SIGALRM, self._on_alarm)
                signal.setitimer(signal.ITIMER_REAL, remaining)
            return method(*args)
        except (TimeoutError, BodyDeadlineExceeded):
            self._expire()
        finally:
            if on_main_thread:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous_handler or signal.SIG_DFL)
            if self._socket is not None:
                self._socket.settimeout(previous_timeout)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        self._expire()

    def _expire(self) -> NoReturn:
        self.expired = True
        raise BodyDeadlineExceeded(MESSAGE)


class RequestBodyDeadline:
    """WSGI middleware: the application's answer, or a JSON 408 when the body came too late."""

    def __init__(self, app: WSGIApp, timeout_seconds: float) -> None:
        self.app = app
        self.timeout_seconds = timeout_seconds

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.timeout_seconds <= 0 or "wsgi.input" not in environ:
            return self.app(environ, start_response)
        body = _DeadlineInput(
            environ["wsgi.input"],
            environ.get("gunicorn.socket"),
            time.monotonic() + self.timeout_seconds,
        )
        environ["wsgi.input"] = body
        answer: list[tuple[str, list[tuple[str, str]], Any]] = []

        def hold_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            answer[:] = [(status, headers, exc_info)]
            return _no_write

        result = self.app(environ, hold_start_response)
        if not body.expired:
            status, headers, exc_info = answer[0]
            start_response(status, headers, exc_info)
            return result
        if hasattr(result, "close"):
            result.close()
        logger.warning("Request body not received within %s s: answered 408", self.timeout_seconds)
        with translation.override(_language(environ)):
            message = gettext(MESSAGE)
        payload = json.dumps(
            {"error": {"code": "request_timeout", "message": message, "fields": {}}}
        ).encode()
        start_response(
            "408 Request Timeout",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Cache-Control", "no-store"),
                ("Connection", "close"),
            ],
        )
        return [payload]


def _language(environ: dict[str, Any]) -> str:
    # Django's LocaleMiddleware never ran for this answer: the same choice, from the path
    # (/es/...) or the Accept-Language header.
    from_path = translation.get_language_from_path(environ.get("PATH_INFO", ""))
    if from_path:
        return from_path
    for code, _quality in parse_accept_lang_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def _no_write(data: bytes) -> None:
    # Django never uses the legacy write() callable; an app that did would lose its output.
    raise RuntimeError("write() is not supported behind RequestBodyDeadline")
