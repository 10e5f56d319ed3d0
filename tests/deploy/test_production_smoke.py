"""The production profile through deploy/try-production.sh, over HTTPS through the shipped nginx.

Run explicitly (`.ci/run` does, after the PostgreSQL pass): it installs nginx when missing,
creates and drops its own PostgreSQL database and uses Redis databases 10 and 11.

    .venv/bin/python -m pytest -p no:xdist -m production tests/deploy -q
"""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.production

RUN_DIR = ROOT / "var" / "production-smoke"
PASSWORD = "smoke test password 0123"
SLOW_CLIENTS = 20
CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}


@dataclass
class Stack:
    url: str
    port: int
    tls: ssl.SSLContext

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 - the stack's own https URL
            self.url.rstrip("/") + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.open(request) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def open(self, request: urllib.request.Request) -> Any:
        return urllib.request.urlopen(request, context=self.tls, timeout=30)  # noqa: S310 - https

    def json(self, method: str, path: str, payload: Any, token: str = "") -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, body = self.request(method, path, json.dumps(payload).encode(), headers)
        return status, json.loads(body) if body else None


def _in_run_env(*command: str, stdin: str = "") -> str:
    """A command with the run's environment file, as the services get it."""
    script = 'set -a; . "$0/env"; set +a; exec "${@}"'
    result = subprocess.run(
        ["bash", "-c", script, str(RUN_DIR), *command],
        cwd=ROOT,
        # Nothing of this test process's settings (DJANGO_SETTINGS_MODULE is the test settings).
        env=CLEAN_ENV,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    script = str(ROOT / "deploy" / "try-production.sh")
    env = dict(CLEAN_ENV, RUN_DIR=str(RUN_DIR))
    subprocess.run([script, "stop"], env=env, cwd=ROOT, check=False, timeout=120)
    shutil.rmtree(RUN_DIR, ignore_errors=True)  # the logs of an earlier run
    started = subprocess.run(
        [script, "start"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip().splitlines()[-1]
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+/", url), url
        tls = ssl.create_default_context(cafile=str(RUN_DIR / "tls" / "fullchain.pem"))
        yield Stack(url, int(urlparse(url).port or 0), tls)
    finally:
        stopped = subprocess.run([script, "stop"], env=env, cwd=ROOT, timeout=180, check=False)
        assert stopped.returncode == 0


@pytest.fixture(scope="module")
def investigator_token(stack: Stack) -> str:
    python = str(ROOT / ".venv" / "bin" / "python")
    key_file = RUN_DIR / "recovery-key"
    _in_run_env(python, "manage.py", "vault_init", "--recovery-key-out", str(key_file))
    uri = (
        _in_run_env(
            python,
            "manage.py",
            "create_staff",
            "smoke-investigator",
            "--role",
            "investigator",
            stdin=PASSWORD + "\n",
        )
        .strip()
        .splitlines()[-1]
    )
    _in_run_env(
        python,
        "manage.py",
        "grant_desk",
        "smoke-investigator",
        "triage",
        "--recovery-key-file",
        str(key_file),
    )
    status, body = stack.json(
        "POST",
        "/api/v1/auth/login/",
        {"username": "smoke-investigator", "password": PASSWORD, "otp_token": _totp(uri)},
    )
    assert status == 200, body
    return str(body["token"])


def _totp(otpauth_uri: str) -> str:
    import base64

    from django_otp.oath import TOTP

    secret = parse_qs(urlparse(otpauth_uri).query)["secret"][0]
    seed = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(seed, 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_it_is_ready(stack: Stack) -> None:
    status, body = stack.request("GET", "/readyz/")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"


def test_it_passes_the_deployment_checks(stack: Stack) -> None:
    output = (RUN_DIR / "logs" / "check-deploy.log").read_text()
    assert "System check identified no issues" in output, output
    python = str(ROOT / ".venv" / "bin" / "python")
    rerun = _in_run_env(python, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in rerun


def test_it_redirects_plain_http_and_sends_hsts_and_the_onion_location(stack: Stack) -> None:
    plain = http.client.HTTPConnection("127.0.0.1", int((RUN_DIR / "http_port").read_text()))
    plain.request("GET", "/tip/?x=1")
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://127.0.0.1:{stack.port}/tip/?x=1"
    plain.close()
    with stack.open(urllib.request.Request(stack.url)) as response:  # noqa: S310 - https
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=63072000; includeSubDomains; preload"
        )
        assert response.headers["Onion-Location"].startswith("http://")
        assert response.headers.get_all("Strict-Transport-Security") == [
            response.headers["Strict-Transport-Security"]
        ]


def test_the_onion_listener_serves_the_site_without_tls_redirect_or_hsts(stack: Stack) -> None:
    onion_name = re.search(
        r"server_name (\S+\.onion);", (ROOT / "deploy/nginx/tipportal.conf").read_text()
    )
    assert onion_name
    onion = http.client.HTTPConnection("127.0.0.1", int((RUN_DIR / "onion_port").read_text()))
    onion.request("GET", "/tip/", headers={"Host": onion_name.group(1)})
    answer = onion.getresponse()
    assert answer.status == 200, answer.read()
    assert "Strict-Transport-Security" not in answer.headers
    assert "Onion-Location" not in answer.headers
    onion.close()


def test_a_tip_with_a_photo_is_read_and_answered_and_the_tipster_reads_the_answer(
    stack: Stack, investigator_token: str
) -> None:
    body, content_type = _multipart(
        {
            "what": "labor_trafficking",
            "description": "Smoke test: workers locked in overnight at a warehouse.",
            "immediate_danger": "no",
            "minor_involved": "unsure",
        },
        [("attachments", "photo.png", _photo())],
    )
    status, answer = stack.request("POST", "/api/v1/tips/", body, {"Content-Type": content_type})
    assert status == 201, answer
    receipt = json.loads(answer)["receipt"]

    status, queue = stack.json("GET", "/api/v1/triage/tips/", None, investigator_token)
    assert status == 200, queue
    tip_id = queue["results"][0]["id"]
    status, tip = stack.json("GET", f"/api/v1/triage/tips/{tip_id}/", None, investigator_token)
    assert status == 200, tip
    assert "warehouse" in json.dumps(tip)
    status, attachments = stack.json(
        "GET", f"/api/v1/triage/tips/{tip_id}/attachments/", None, investigator_token
    )
    assert status == 200, attachments
    assert [a["content_type"] for a in attachments["results"]] == ["image/png"]
    attachment_id = attachments["results"][0]["id"]
    status, download = stack.request(
        "GET",
        f"/api/v1/triage/tips/{tip_id}/attachments/{attachment_id}/",
        headers={"Authorization": f"Bearer {investigator_token}"},
    )
    assert status == 200
    assert download.startswith(b"\x89PNG")

    stack.json("POST", f"/api/v1/triage/tips/{tip_id}/claim/", {}, investigator_token)
    status, reply = stack.json(
        "POST",
        f"/api/v1/triage/tips/{tip_id}/messages/",
        {"body": "Thank you. Can you tell us the street?"},
        investigator_token,
    )
    assert status == 201, reply

    status, follow_up = stack.json("POST", "/api/v1/follow-up/", {"receipt": receipt})
    assert status == 200, follow_up
    assert ["investigator", "Thank you. Can you tell us the street?"] in [
        [m["sender"], m["body"]] for m in follow_up["messages"]
    ]


def _tls_connection(stack: Stack) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", stack.port), timeout=60)
    return stack.tls.wrap_socket(raw, server_hostname="127.0.0.1")


def _slow_headers(length: int) -> bytes:
    return (
        "POST /api/v1/follow-up/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _closed_after(conn: ssl.SSLSocket) -> tuple[float, bytes]:
    started = time.monotonic()
    try:
        reply = conn.recv(65536)
    except OSError:
        reply = b""
    return time.monotonic() - started, reply


def test_slow_bodies_are_cut_off_and_the_site_keeps_answering(stack: Stack) -> None:
    stop = threading.Event()
    outcomes: list[tuple[str, float, bytes]] = []

    def trickle(index: int) -> None:
        # One byte a second, on and on: nginx holds the connection, no gunicorn worker does.
        conn = _tls_connection(stack)
        try:
            conn.sendall(_slow_headers(10_000))
            while not stop.wait(1):
                conn.sendall(b" ")
            outcomes.append(("trickle", 0.0, b"open"))
        except OSError:
            outcomes.append(("trickle", 0.0, b"closed"))
        finally:
            conn.close()

    def stall(index: int) -> None:
        # A body that stops: cut off after client_body_timeout (10 s).
        conn = _tls_connection(stack)
        started = time.monotonic()
        try:
            conn.sendall(_slow_headers(10_000) + b'{"receipt": "')
            _, reply = _closed_after(conn)
        finally:
            conn.close()
        outcomes.append(("stall", time.monotonic() - started, reply))

    threads = [threading.Thread(target=trickle, args=(i,)) for i in range(SLOW_CLIENTS)]
    threads += [threading.Thread(target=stall, args=(i,)) for i in range(SLOW_CLIENTS)]
    for thread in threads:
        thread.start()
    latencies = []
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _ = stack.json(
                "POST", "/api/v1/follow-up/", {"receipt": "ABCDE-FGHJK-MNPQR-STVWX"}
            )
            latencies.append(time.monotonic() - started)
            # The portal answers: "no such receipt", or, once this client has asked too often
            # for a receipt that matches nothing, the follow-up rate limit's 429. Never a 5xx.
            assert status in (404, 429)
            stop.wait(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    stalls = [(elapsed, reply) for kind, elapsed, reply in outcomes if kind == "stall"]
    assert len(stalls) == SLOW_CLIENTS
    # nginx ends a stalled body with 408 in its own books and closes the connection.
    assert all(
        8 < elapsed < 14 and not reply.startswith(b"HTTP/1.1 2") for elapsed, reply in stalls
    ), stalls
    print(
        f"\nnormal requests during {SLOW_CLIENTS} trickling and {SLOW_CLIENTS} stalled bodies: "
        f"{len(latencies)} answered, max {max(latencies):.3f} s, "
        f"median {sorted(latencies)[len(latencies) // 2]:.3f} s; stalled bodies cut after "
        f"{min(e for e, _ in stalls):.1f}-{max(e for e, _ in stalls):.1f} s"
    )
    assert max(latencies) < 2, latencies


def test_no_client_address_is_in_any_log(stack: Stack) -> None:
    logs = sorted((RUN_DIR / "logs").glob("*.log"))
    assert {p.name for p in logs} >= {"nginx-error.log", "gunicorn.log", "worker.log", "beat.log"}
    for path in logs:
        text = path.read_text(errors="replace")
        assert "127.0.0.1" not in text, (
            path.name,
            [line for line in text.splitlines() if "127.0.0.1" in line],
        )
        assert not re.search(r"(?<![\w:])::1(?![\w:])", text), path.name
    # The stalled bodies were logged, their addresses replaced.
    assert "client: [address]" in (RUN_DIR / "logs" / "nginx-error.log").read_text()
    assert not list(Path(RUN_DIR).glob("nginx/*.log"))
