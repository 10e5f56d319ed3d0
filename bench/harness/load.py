"""Load: client processes posting JSON at a server, each over its own keep-alive connection.

The clients are spawned (they import no Django and inherit none of our descriptors), build
their requests before the clock starts, and reconnect when the server closes (sync workers
close after every response), inside the measured latency.
"""

from __future__ import annotations

import array
import contextlib
import multiprocessing
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.harness.http import connect, read_response
from bench.harness.report import percentile

# A body for request number `serial`, drawn from `rng`; `context` is whatever the factory
# needs from the parent (it must pickle: the clients are spawned). JSON, unless the factory
# returns (content type, body).
BodyFactory = Callable[[random.Random, int, Any], bytes | tuple[str, bytes]]


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    wall: float = 0.0
    samples: list[str] = field(default_factory=list)
    cpu: Counter[str] = field(default_factory=Counter)

    def add(self, other: LoadResult) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.wall += other.wall
        self.samples += other.samples
        self.cpu.update(other.cpu)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    @property
    def errors(self) -> int:
        return sum(1 for status in self.statuses if not 200 <= status < 300)

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)


def _client_loop(port: int, make_body: BodyFactory, context: Any, conn: Any) -> None:
    """One client process: one run per command, over one keep-alive connection."""
    sock = None
    buf = b""
    clock = time.perf_counter
    while (command := conn.recv()) is not None:
        path, seed, count = command
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        head = (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {{}}\r\n"
            "Accept: application/json\r\nContent-Length: {}\r\n\r\n"
        )
        requests = []
        for index in range(count):
            made = make_body(rng, seed * 100_000 + index, context)
            kind, body = made if isinstance(made, tuple) else ("application/json", made)
            requests.append(head.format(kind, len(body)).encode() + body)
        latencies, statuses, samples = array.array("d"), array.array("H"), []
        # A fresh connection per run, made before the clock starts: gunicorn closes a keep-alive
        # connection idle for 2 s, and the previous run may have ended longer ago than that.
        if sock is not None:
            sock.close()
        sock, buf = connect(port), b""
        conn.send("ready")
        conn.recv()  # go
        cpu_started, started = time.process_time(), time.monotonic()
        for request in requests:
            t0 = clock()
            try:
                if sock is None:  # the server closed the last one: reconnecting is part of this
                    sock, buf = connect(port), b""
                sock.sendall(request)
                status, close, body, buf = read_response(sock, buf)
            except OSError as exc:
                status, close, body = 0, True, type(exc).__name__.encode()
            latencies.append((clock() - t0) * 1000)
            statuses.append(status)
            if not 200 <= status < 300 and len(samples) < 3:
                samples.append(f"{status}: {body[:200].decode(errors='replace')}")
            if close and sock is not None:
                sock.close()
                sock = None
        ended, cpu = time.monotonic(), time.process_time() - cpu_started
        conn.send((latencies.tobytes(), statuses.tobytes(), started, ended, cpu, samples))
    if sock is not None:
        sock.close()


class Clients:
    """`count` client processes against the server on `port`.

    `cpu` returns CPU seconds so far by name; each run reports what they grew by, plus the
    clients' own CPU as "load clients".
    """

    def __init__(
        self,
        port: int,
        count: int,
        make_body: BodyFactory,
        context: Any,
        cpu: Callable[[], dict[str, float]],
    ) -> None:
        self.cpu = cpu
        ctx = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for _ in range(count):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=_client_loop, args=(port, make_body, context, child), daemon=True
            )
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def run(self, path: str, total: int, seed: int) -> LoadResult:
        """`total` requests spread over the clients; the clock starts once all are connected."""
        count = len(self.pipes)
        shares = [total // count + (1 if i < total % count else 0) for i in range(count)]
        for index, (pipe, share) in enumerate(zip(self.pipes, shares, strict=True)):
            pipe.send((path, seed * 100 + index, share))
        for pipe in self.pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("load clients did not get ready")
        before = self.cpu()
        for pipe in self.pipes:
            pipe.send("go")
        parts = [pipe.recv() for pipe in self.pipes]
        after = self.cpu()
        result = LoadResult()
        for latencies, statuses, _started, _ended, _cpu, samples in parts:
            result.latencies += array.array("d", latencies)
            result.statuses += array.array("H", statuses)
            result.samples += samples
        result.wall = max(p[3] for p in parts) - min(p[2] for p in parts)
        result.cpu = Counter({name: after[name] - before[name] for name in before})
        result.cpu["load clients"] = sum(p[4] for p in parts)
        return result

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
