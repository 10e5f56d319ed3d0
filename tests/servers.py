"""Start the project's own servers in child processes, ready when they say so (no sleeps)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shared_database_url() -> str:
    """The test database, for child processes (gunicorn, workers) that must share it; skips the
    test on SQLite, whose in-memory test database no other process can open."""
    import pytest
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("processes sharing the test database need PostgreSQL (CI's second pass)")
    user = params["USER"] or ""
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    auth = f"{user}{password}@" if user else ""
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{params['NAME']}"


def redis_cache_settings(location: str) -> dict[str, Any]:
    """The production cache settings (portal/settings.py, socket timeouts included), pointed at
    `location`."""
    from django.conf import settings

    timeout = settings.CACHE_TIMEOUT_SECONDS
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str], ready_marker: str, timeout: float = 60
) -> Iterator[list[str]]:
    """Run `command`, wait for `ready_marker` in its output, yield the output lines so far.

    When the block ends the process is stopped and the rest of its output is appended, so the
    caller can inspect everything the process wrote.
    """
    with running_process(command, env, ready_marker, timeout) as (_process, lines):
        yield lines


@contextlib.contextmanager
def running_process(
    command: list[str],
    env: dict[str, str],
    ready_marker: str,
    timeout: float = 60,
    *,
    new_session: bool = False,
) -> Iterator[tuple[subprocess.Popen[bytes], list[str]]]:
    """`running()`, also yielding the process; `new_session` puts it in a process group of its
    own (a test can then kill the whole group, as a machine losing a worker would)."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=new_session,
    )
    assert process.stdout is not None
    output = process.stdout
    lines: list[str] = []
    ready = threading.Event()
    said_ready = False

    def read_all() -> None:
        nonlocal said_ready
        # Read for as long as the child runs: a child whose pipe is full blocks on its next log
        # line, and a test would wait on a process that is only waiting to be read.
        for raw in iter(output.readline, b""):
            lines.append(raw.decode(errors="replace"))
            if ready_marker in lines[-1]:
                said_ready = True
                ready.set()
        ready.set()  # wakes the wait below: the child closed its output before saying it

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    try:
        if not ready.wait(timeout=timeout) or not said_ready:
            raise RuntimeError(f"{command[0]} did not start:\n" + "".join(lines))
        yield process, lines
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        output.close()


def request_from(source: str, port: int, raw: bytes) -> bytes:
    """Send `raw` to 127.0.0.1:port from the loopback address `source`; return the reply."""
    # A generous bound: workers import the app after the first "Booting worker" line.
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as s:
        s.sendall(raw)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
