"""What the fault tests start for themselves: a Redis broker on a free port, a silent socket that
stands for a hung one, and Celery workers; each stopped by the test that started it."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.servers import running, running_process


@contextlib.contextmanager
def redis_on(port: int) -> Iterator[None]:
    command = [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no",
    ]  # fmt: skip
    with running(command, dict(os.environ), "Ready to accept connections"):
        yield


@contextlib.contextmanager
def silent_socket_on(port: int) -> Iterator[None]:
    """Accepts connections on the port and never answers: a frozen broker."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        yield


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    output: list[str]  # its log so far, read as it is written


@contextlib.contextmanager
def worker(
    venv_bin: Path, env: dict[str, str], tmp_path: Path, *, new_session: bool = False
) -> Iterator[Worker]:
    """A Celery worker with beat (prefork, one child) on the environment's broker."""
    command = [
        str(venv_bin / "celery"), "-A", "portal", "worker", "--beat", "--pool=prefork",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=info",
        "--schedule", str(tmp_path / f"beat-schedule-{secrets.token_hex(4)}"),
    ]  # fmt: skip
    with running_process(command, env, "ready.", new_session=new_session) as (process, lines):
        yield Worker(process, lines)
    if os.environ.get("FAULT_TEST_DEBUG"):
        print("".join(lines))
