"""A slow or short request body ends in a JSON 408 within REQUEST_BODY_TIMEOUT_SECONDS, under a
bare gunicorn (no buffering proxy in front), and the worker is free again for the next client."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import time

import pytest

from portal.body_deadline import RequestBodyDeadline
from tests.servers import ROOT, free_port, request_from, running

BOUND = 2  # seconds: REQUEST_BODY_TIMEOUT_SECONDS for the server under test


def _headers(port: int, length: int) -> bytes:
    return (
        f"POST /api/v1/follow-up/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def _get(port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()


def _reply(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def gunicorn_port(venv_bin, subprocess_env):
    subprocess.run(
        [str(venv_bin / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        env=subprocess_env,
        check=True,
        cwd=str(ROOT),
        timeout=120,
    )
    port = free_port()
    env = dict(
        subprocess_env,
        PORTAL_ENV="production",
        SECRET_KEY="body-deadline-test-secret-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_LOG_LEVEL="info",
        REQUEST_BODY_TIMEOUT_SECONDS=str(BOUND),
    )
    command = [str(venv_bin / "gunicorn"), "-c", "portal/gunicorn_conf.py", "portal.wsgi"]
    with running(command, env, "Booting worker") as lines:
        # The first request imports the views: measured requests start on a warm worker.
        warm_up = b'{"receipt": "no-such-receipt"}'
        reply = request_from("127.0.0.1", port, _headers(port, len(warm_up)) + warm_up)
        assert reply.startswith(b"HTTP/1.1 400"), reply  # a malformed receipt, in time
        yield port
    assert "Traceback" not in "".join(lines), "".join(lines)


@pytest.mark.services
def test_it_answers_408_to_a_body_sent_one_byte_a_second(gunicorn_port: int) -> None:
    body = json.dumps({"receipt": "x" * 200}).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as sock:
        sock.sendall(_headers(gunicorn_port, len(body)))
        for byte in body:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # the server answered and closed
            sock.settimeout(1)  # one byte a second: wait for an answer that long between bytes
            try:
                reply = sock.recv(65536, socket.MSG_PEEK)
            except TimeoutError:
                continue
            if reply:
                break
        sock.settimeout(30)
        reply = _reply(sock)
    elapsed = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_timeout"
    assert elapsed < BOUND + 3, elapsed


@pytest.mark.services
def test_it_answers_408_when_the_body_is_shorter_than_announced(gunicorn_port: int) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as sock:
        sock.sendall(_headers(gunicorn_port, 10_000) + b'{"receipt": "')
        reply = _reply(sock)
    elapsed = time.monotonic() - started
    # gunicorn alone holds the worker 30 s here and answers with an HTML 500.
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b"application/json" in reply
    assert elapsed < BOUND + 3, elapsed


@pytest.mark.services
def test_it_serves_the_next_client_after_a_slow_one(gunicorn_port: int) -> None:
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as slow:
        slow.sendall(_headers(gunicorn_port, 100) + b"{")
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as sock:
            sock.sendall(_get(gunicorn_port, "/healthz/"))
            reply = _reply(sock)
        assert reply.startswith(b"HTTP/1.1 200"), reply
        # One sync worker: the probe waited for the slow body's deadline, no longer.
        assert time.monotonic() - started < BOUND + 3
        assert _reply(slow).startswith(b"HTTP/1.1 408")


def _app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def test_it_passes_a_body_that_arrives_in_time() -> None:
    seen = []
    app = RequestBodyDeadline(_app, timeout_seconds=5)
    environ = {"wsgi.input": io.BytesIO(b"hello"), "REQUEST_METHOD": "POST"}
    result = app(environ, lambda status, headers, exc_info=None: seen.append(status))
    assert list(result) == [b"hello"]
    assert seen == ["200 OK"]


def test_it_answers_408_in_the_error_shape_when_reads_run_past_the_deadline() -> None:
    class Trickle(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            time.sleep(0.5)  # a client that is slower than the deadline, not synchronization
            return b"x"

    seen = []
    app = RequestBodyDeadline(_app_reading_slowly, timeout_seconds=1)
    result = app(
        {"wsgi.input": Trickle()}, lambda status, headers, exc_info=None: seen.append(status)
    )
    assert seen == ["408 Request Timeout"]
    assert json.loads(b"".join(result))["error"] == {
        "code": "request_timeout",
        "message": "The request body did not arrive in time.",
        "fields": {},
    }


def _app_reading_slowly(environ, start_response):
    from django.core.exceptions import BadRequest

    try:
        while environ["wsgi.input"].read(1):
            pass
    except BadRequest:
        start_response("400 Bad Request", [])
        return [b"bad"]
    start_response("200 OK", [])
    return [b"never"]


def test_it_answers_in_spanish_under_es_or_when_asked() -> None:
    class Stalled(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise TimeoutError  # the socket's timeout, as gunicorn's reader raises it

    for environ in (
        {"PATH_INFO": "/es/tip/"},
        {"PATH_INFO": "/api/v1/tips/", "HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"},
    ):
        app = RequestBodyDeadline(_app_reading_slowly, timeout_seconds=5)
        result = app(dict(environ, **{"wsgi.input": Stalled()}), lambda *args: None)
        message = json.loads(b"".join(result))["error"]["message"]
        assert message == "El contenido de la solicitud no llegó a tiempo."
