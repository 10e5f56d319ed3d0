"""A canary client address must appear in no log line of any server the portal runs under."""

import logging
import subprocess

import pytest

from portal.logs import REDACTED, RedactAddressesFilter, redact_addresses
from tests.servers import ROOT, free_port, request_from, running

CANARY = "127.0.0.2"
GET_LANDING = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
GET_BAD_HOST = b"GET / HTTP/1.1\r\nHost: 127.0.0.2\r\nConnection: close\r\n\r\n"
GET_MISSING = b"GET /no-such-page/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
MALFORMED = b"NOT-HTTP \x00\x01\r\n\r\n"


@pytest.fixture
def migrated_env(project_python: str, subprocess_env: dict[str, str]) -> dict[str, str]:
    subprocess.run(
        [project_python, "manage.py", "migrate", "--noinput", "-v0"],
        env=subprocess_env,
        check=True,
        cwd=str(ROOT),
        timeout=120,
    )
    return subprocess_env


@pytest.mark.parametrize(
    "text",
    [
        "Invalid request from ip=127.0.0.2: bad",
        "- Broken pipe from ('127.0.0.2', 51234)",
        "Invalid HTTP_HOST header: '127.0.0.2:8000'",
        "client ::ffff:127.0.0.2 and 2001:db8::1 and ::1 said hi",
    ],
)
def test_it_redacts_addresses_from_text(text: str) -> None:
    redacted = redact_addresses(text)
    assert "127.0.0.2" not in redacted
    assert "2001:db8" not in redacted
    assert REDACTED in redacted


def test_it_keeps_times_and_versions_readable() -> None:
    assert redact_addresses("GET / HTTP/1.1 took 12:30:01 v1.2.3") == (
        "GET / HTTP/1.1 took 12:30:01 v1.2.3"
    )


def test_it_redacts_a_log_record_with_arguments() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "from %s", ("127.0.0.2",), None)
    record.request = object()
    assert RedactAddressesFilter().filter(record)
    assert record.getMessage() == f"from {REDACTED}"
    assert record.request is None


def test_it_keeps_the_canary_out_of_runserver_logs(
    project_python: str, migrated_env: dict[str, str]
) -> None:
    port = free_port()
    command = [project_python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with running(command, migrated_env, "development server at") as lines:
        assert b"200 OK" in request_from(CANARY, port, GET_LANDING)
        assert b"400" in request_from(CANARY, port, GET_BAD_HOST)
        assert b"404" in request_from(CANARY, port, GET_MISSING)
        request_from(CANARY, port, MALFORMED)
    output = "".join(lines)
    assert '"GET / HTTP/1.1" 200' in output, "the request log was captured"
    assert "Invalid HTTP_HOST header" in output
    assert CANARY not in output


def test_it_keeps_the_canary_out_of_gunicorn_logs(venv_bin, migrated_env: dict[str, str]) -> None:
    port = free_port()
    env = dict(
        migrated_env,
        PORTAL_ENV="production",
        SECRET_KEY="gunicorn-test-secret-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG="-",
        GUNICORN_LOG_LEVEL="info",
    )
    subprocess.run(
        [str(venv_bin / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=str(ROOT),
        timeout=120,
    )
    command = [str(venv_bin / "gunicorn"), "-c", "portal/gunicorn_conf.py", "portal.wsgi"]
    with running(command, env, "Booting worker") as lines:
        assert b"200 OK" in request_from(CANARY, port, GET_LANDING)
        assert b"400" in request_from(CANARY, port, GET_BAD_HOST)
        assert b"400" in request_from(CANARY, port, MALFORMED)
    output = "".join(lines)
    assert "Invalid request from ip=[address]" in output, output
    assert '"GET / HTTP/1.1" 200' in output, output
    assert CANARY not in output


def test_it_blanks_the_address_headers_in_gunicorn_access_lines() -> None:
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    from portal.logs import GunicornLogger

    address = "203.0.113.9"
    headers = [("X-TIPPORTAL-CLIENT", address), ("X-FORWARDED-FOR", address)]
    resp = SimpleNamespace(status="200 OK", response_length=0, headers=[], sent=0)
    req = SimpleNamespace(headers=headers, method="GET", uri="/", query="", version=(1, 1))
    environ = {
        "REMOTE_ADDR": address,
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = GunicornLogger(Config()).atoms(resp, req, environ, datetime.timedelta(seconds=0.01))
    assert address not in repr(atoms)
    assert atoms["{x-tipportal-client}i"] == "-"
