"""The portal under gunicorn, as deployed: `portal/gunicorn_conf.py` (sync worker processes),
with only the bind address and the number of workers chosen by the bench."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness.env import ROOT, redacted
from bench.harness.http import HOST, free_port, get_status

START_TIMEOUT = 90.0


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    workers: list[int]


def _ready_workers(ready: int, count: int, log: Path) -> list[int]:
    """Worker pids as they report ready; EOF means every process holding the pipe has exited."""
    deadline = time.monotonic() + START_TIMEOUT
    pids: list[int] = []
    buf = b""
    while len(pids) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([ready], [], [], remaining)[0]:
            raise RuntimeError(f"gunicorn did not start in time:\n{redacted(log.read_text())}")
        chunk = os.read(ready, 4096)
        if not chunk:
            raise RuntimeError(f"gunicorn exited while starting:\n{redacted(log.read_text())}")
        buf += chunk
        *lines, buf = buf.split(b"\n")
        pids += [int(line) for line in lines if line]
    return sorted(pids)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn serving `portal.wsgi` under `env`, its output in `log`; stopped afterwards."""
    port = free_port()
    ready, ready_out = os.pipe()
    env = dict(
        env,
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(workers),
        GUNICORN_MAX_REQUESTS="0",  # no recycling: memory growth must show
        GUNICORN_LOG_LEVEL="warning",
        BENCH_READY_FD=str(ready_out),
        PYTHONPATH=str(ROOT),  # for the python: config module
    )
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("-c", "python:bench.harness.gunicorn_conf"),
        "--no-control-socket",  # gunicorn 27's ~/.gunicorn/gunicorn.ctl is shared by all of them
        "portal.wsgi:application",
    ]
    try:
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=out, pass_fds=(ready_out,)
            )
    finally:
        os.close(ready_out)  # only gunicorn holds it now, so its exit is an EOF here
    try:
        pids = _ready_workers(ready, workers, log)
        if (status := get_status(port, "/healthz/")) != 200:
            raise RuntimeError(f"gunicorn answers /healthz/ with {status}")
        yield Server(port, process, pids)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(ready)
