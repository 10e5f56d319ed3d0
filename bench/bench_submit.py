"""Tip submissions per second through gunicorn on PostgreSQL, against a one-row insert.

`make bench`, or on its own: `.venv/bin/python -m bench submit`.

1. Setup: a fresh PostgreSQL database `tipportal_bench` (dropped first if it exists), migrated,
   and `vault_init` (recovery key to a temporary file), so tips can be sealed and stored.
2. One gunicorn, production profile (DEBUG off, fixed bench secrets, no SSL redirect or HSTS on
   plain http), serving `bench.insert_site.settings`: portal.settings plus one bench app whose
   view `/bench/insert/` inserts one row and answers 201. The baseline and the tips therefore go
   through the same server, workers, middleware and database. Rate limits are off; the Celery
   broker and the cache are the local Redis, under queue/key names unique to this run.
3. Load: 16 clients, each its own process speaking keep-alive HTTP/1.1 over raw sockets, with
   requests built before the clock starts; a client reconnects when the server closes (sync
   workers close after every response), inside the measured latency. After a warm-up,
   baseline and tips run in alternating rounds (so that anything else running on the machine
   weighs on both alike):
   `POST /bench/insert/` and `POST /api/v1/tips/` with realistic ~1.5 KB tips, every one
   different (text, phones, emails, handles, URLs, plates, contact details).
4. Report: requests/s, the ratio tips/baseline (target >= 0.25), p50/p95/p99 latency (target:
   p95 < 100 ms for tips), non-2xx count (target 0), who used the CPU, and what the database
   connections were doing (sampled from pg_stat_activity / pg_locks during the tips rounds).
5. Memory: the resident size (VmRSS) of each gunicorn worker after the warm-up and every 2,000
   tips up to BENCH_SUBMIT_MEMORY_TIPS (default 10,000); growth is reported, not asserted.
6. In-process, same settings and database: queries per request (timed with an execute wrapper)
   and, when a target is missed or BENCH_SUBMIT_PROFILE=1, where a submission's time goes: its
   big steps timed on their own, wall-clock sampling, and cProfile.
7. Clean-up: gunicorn and the clients stopped, the database dropped, this run's Redis keys gone.

Environment: BENCH_SUBMIT_REQUESTS (measured requests per kind, default 4000),
BENCH_SUBMIT_ROUNDS (4), BENCH_SUBMIT_WARMUP (500), BENCH_SUBMIT_CLIENTS (16),
BENCH_SUBMIT_MEMORY_TIPS (10000), BENCH_SUBMIT_PROFILE (1: always, 0: never),
BENCH_SUBMIT_WORKER_CLASS / _WORKERS / _THREADS (see SERVER), BENCH_PG_URL, BENCH_REDIS_URL.

Nothing printed names a client address; server output is shown only on failure, redacted.
"""

from __future__ import annotations

import array
import contextlib
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tipportal_bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HOST = "127.0.0.1"  # where the server binds; never printed
TIPS_PATH = "/api/v1/tips/"
INSERT_PATH = "/bench/insert/"

CLIENTS = int(os.environ.get("BENCH_SUBMIT_CLIENTS", "16"))
MEASURED = int(os.environ.get("BENCH_SUBMIT_REQUESTS", "4000"))
ROUNDS = int(os.environ.get("BENCH_SUBMIT_ROUNDS", "4"))
WARMUP = int(os.environ.get("BENCH_SUBMIT_WARMUP", "500"))
MEMORY_TIPS = int(os.environ.get("BENCH_SUBMIT_MEMORY_TIPS", "10000"))
MEMORY_STEP = 2000

# The server: gunicorn sync workers, 3 of them, on 2 cores. Measured with this bench on this
# machine (16 clients, 1,600-4,000 of each, runs where other processes took < 5% of the CPU;
# BENCH_SUBMIT_WORKER_CLASS / _WORKERS / _THREADS):
#   sync x2: 170-184 tips/s (CPU 92% busy)   sync x3: 157-171 (96%)   sync x4: 155-176 (99%)
#   gthread 2x4 (portal/gunicorn_conf.py's default): 116-130 tips/s, CPU only 72-77% busy
#   gthread 2x8, 3x6, 4x4: 127-140 tips/s, CPU 74-80% busy, 1.6-6 connections queued on the
#   audit append lock on average
# A submission costs ~9-10 ms of CPU in the worker plus ~10 short database round trips, and its
# last part runs under the audit log's append lock (pg_advisory_xact_lock, held until COMMIT).
# With threads, the thread holding that lock has to win its process's GIL back after each round
# trip while its siblings run Python; the lock is held longer and the others queue behind it
# (the holder was "idle in transaction" ~90% of the time), leaving the cores partly idle.
# Single-threaded processes have no such convoy. One more process than cores keeps both cores
# busy while a worker waits on PostgreSQL; 2-4 are within the noise of each other, 3 is the
# middle. Sync workers do not keep connections alive, so the clients reconnect after each
# response (inside the measured latency); gthread's keep-alive connections stay with the worker
# that accepted them, which left some workers idle in the gthread Nx1 and 3x6 runs.
SERVER = {
    "worker_class": os.environ.get("BENCH_SUBMIT_WORKER_CLASS", "sync"),
    "workers": int(os.environ.get("BENCH_SUBMIT_WORKERS", "3")),
    # gunicorn turns sync into gthread when threads > 1
    "threads": int(os.environ.get("BENCH_SUBMIT_THREADS", "1")),
}

# Fixed secrets for the bench database only (it is dropped at the end).
BENCH_SECRETS = {
    "SECRET_KEY": "bench-submit-secret-key-not-for-production-0123456789abcdef0123",
    "AUDIT_SIGNING_KEY": "bench-submit-audit-signing-key-0123456789abcdef",
    "VAULT_PASSWORD_PEPPER": "bench-submit-vault-pepper-0123456789abcdef0123",
    "VAULT_RECEIPT_KEY": "bench-submit-vault-receipt-key-0123456789abcdef",
    "VAULT_INDEX_KEY": "bench-submit-vault-index-key-0123456789abcdef01",
    "OTP_SEED_KEY": "bench-submit-otp-seed-key-0123456789abcdef012345",
    "OTP_HASH_KEY": "bench-submit-otp-hash-key-0123456789abcdef012345",
}

# --- Realistic tips ---------------------------------------------------------------------------

NAMES = (
    "Maria", "Ana", "Luis", "Tony", "Kim", "Jay", "Rosa", "Dev", "Carmen", "Mike", "Lena",
    "Sam", "Nina", "Oscar", "Tara", "Victor", "Yesenia", "Ray", "Dana", "Eli",
)  # fmt: skip
PLACES = (
    "the motel on State Line Road", "a nail salon off Metcalf Ave", "the truck stop by exit 224",
    "an apartment complex near Independence Center", "the massage parlor behind the strip mall",
    "a house on Oak St with the windows covered", "the restaurant kitchen on 39th Street",
    "a farm east of Lee's Summit", "the bus station downtown", "a hotel near the airport",
)  # fmt: skip
STREETS = ("Main", "Oak", "State Line", "Troost", "Metcalf", "Quivira")
TRUCKS = ("Ford", "Chevy", "Dodge", "Toyota", "Nissan")
SENTENCES = (
    "I noticed {n} young women being dropped off at {place} late at night by the same man.",
    "They never seem to leave alone and a man collects money from them at the end of each shift.",
    "One of them told me she owes the boss for the trip here and cannot leave until it is paid.",
    "The ads are posted on {url} and use the handle {handle} with different photos each week.",
    "A car with license plate {plate} parks outside every evening around {hour} pm.",
    "You can reach the manager at {phone}, he answers in Spanish and English.",
    "Someone gave me the email {email} and said that is how new girls get hired.",
    "The workers look exhausted and scared, and they sleep on mattresses in the back room.",
    "I have seen this going on for about {weeks} weeks and it is getting worse.",
    "Nobody there has their own phone; the man keeps their IDs in his truck.",
    "Last week a girl who looked about sixteen asked me for help but then ran back inside.",
    "The door is always locked from the outside and there are cameras on every corner.",
)  # fmt: skip


@dataclass(frozen=True)
class Choices:
    """Codes the API accepts, read from the app in the parent process, passed to the clients."""

    what: tuple[str, ...]
    areas: tuple[str, ...]
    indicators: tuple[str, ...]


def app_choices() -> Choices:
    from tips.areas import all_areas
    from tips.indicators import INDICATOR_CODES
    from tips.models import What

    return Choices(
        what=tuple(code for code in What.values if code != What.NOT_TRAFFICKING),
        areas=tuple(area.code for area in all_areas()),
        indicators=tuple(sorted(INDICATOR_CODES)),
    )


def tip_body(rng: random.Random, serial: int, choices: Choices) -> bytes:
    """One tip as the public API takes it: about 1.3-1.9 KB, different every time.

    About 10% say "immediate danger: yes", so they are urgent and queue a notification.
    """
    name = rng.choice(NAMES)
    phone = f"({rng.randint(201, 989)}) 555-{rng.randint(100, 9999):04d}"
    phone2 = f"+1 816 {rng.randint(200, 989)} {rng.randint(0, 9999):04d}"
    email = f"{name.lower()}.{serial}@{rng.choice(('gmail.com', 'example.net', 'proton.me'))}"
    handle = f"@{name.lower()}_{serial % 99991}"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    plate = f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1000, 9999)}"
    url = f"https://listings.example.com/ad/{serial}-{rng.randint(1000, 99999)}"
    fill = {
        "n": rng.randint(2, 7),
        "place": rng.choice(PLACES),
        "url": url,
        "handle": handle,
        "plate": plate,
        "hour": rng.randint(7, 11),
        "phone": phone2,
        "email": email,
        "weeks": rng.randint(2, 30),
    }
    sentences = list(SENTENCES)
    rng.shuffle(sentences)
    description = " ".join(s.format(**fill) for s in sentences[: rng.randint(8, 12)])
    tip = {
        "what": rng.choice(choices.what),
        "description": f"{description} (ref {serial})",
        "immediate_danger": rng.choices(("yes", "no", "unsure"), weights=(1, 7, 2))[0],
        "minor_involved": rng.choice(("yes", "no", "unsure")),
        "recency": rng.choice(("now", "week", "earlier", "unknown")),
        "when": f"most nights after {fill['hour']} pm, last seen {rng.randint(1, 28)} days ago",
        "location": f"{rng.randint(100, 9999)} {rng.choice(STREETS)} St, {rng.choice(PLACES)}",
        "area": rng.choice(choices.areas),
        "people": f"{name}, about {rng.randint(25, 55)}, heavy set, tattoo on the left arm; "
        f"{rng.randint(2, 6)} women aged 16-25",
        "vehicles": f"white {rng.choice(TRUCKS)} pickup, plate {plate}",
        "identifiers": {
            "phones": [phone, phone2],
            "emails": [email],
            "handles": [handle],
            "urls": [url],
            "plates": [plate],
        },
        "indicators": rng.sample(choices.indicators, rng.randint(1, 5)),
        "contact": {
            "name": rng.choice(("", "A neighbor", f"{rng.choice(NAMES)} R.")),
            "phone": f"816-555-{rng.randint(0, 9999):04d}",
            "email": f"tipster{serial}@example.org",
            "best_time": "weekday evenings",
            "may_contact": rng.random() < 0.5,
        },
        "language": "en",
    }
    return json.dumps(tip).encode()


# --- The load generator: persistent client processes ------------------------------------------


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _recv_more(sock: socket.socket, buf: bytes) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("connection closed mid-response")
    return buf + chunk


def _read_chunked(sock: socket.socket, rest: bytes) -> tuple[bytes, bytes]:
    body = b""
    while True:
        while b"\r\n" not in rest:
            rest = _recv_more(sock, rest)
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(rest) < size + 2:
            rest = _recv_more(sock, rest)
        body, rest = body + rest[:size], rest[size + 2 :]
        if size == 0:
            return body, rest


def read_response(sock: socket.socket, buf: bytes) -> tuple[int, bool, bytes, bytes]:
    """(status, server closes, body, bytes left over) for one HTTP/1.1 response."""
    while b"\r\n\r\n" not in buf:
        buf = _recv_more(sock, buf)
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    close = headers.get(b"connection") == b"close" or lines[0].startswith(b"HTTP/1.0")
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        body, rest = _read_chunked(sock, rest)
        return status, close, body, rest
    if b"content-length" not in headers:  # the body runs to the end of the connection
        with contextlib.suppress(ConnectionError):
            while True:
                rest = _recv_more(sock, rest)
        return status, True, rest, b""
    length = int(headers[b"content-length"])
    while len(rest) < length:
        rest = _recv_more(sock, rest)
    return status, close, rest[:length], rest[length:]


def _client_loop(port: int, choices: Choices, conn: Any) -> None:
    """One client process: one run per command, over one keep-alive connection."""
    sock: socket.socket | None = None
    buf = b""
    clock = time.perf_counter
    while (command := conn.recv()) is not None:
        path, seed, count = command
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        head = (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "Accept: application/json\r\nContent-Length: {}\r\n\r\n"
        )
        requests = []
        for index in range(count):
            body = tip_body(rng, seed * 100_000 + index, choices)
            requests.append(head.format(len(body)).encode() + body)
        latencies, statuses, samples = array.array("d"), array.array("H"), []
        # A fresh connection per run, made before the clock starts: gunicorn closes a keep-alive
        # connection idle for 2 s, and the previous run may have ended longer ago than that.
        if sock is not None:
            sock.close()
        sock, buf = _connect(port), b""
        conn.send("ready")
        conn.recv()  # go
        cpu_started, started = time.process_time(), time.monotonic()
        for request in requests:
            t0 = clock()
            try:
                if sock is None:  # the server closed the last one: reconnecting is part of this
                    sock, buf = _connect(port), b""
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


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    wall: float = 0.0
    samples: list[str] = field(default_factory=list)
    cpu: Counter[str] = field(default_factory=Counter)
    activity: Counter[str] = field(default_factory=Counter)

    def add(self, other: LoadResult) -> None:
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.wall += other.wall
        self.samples += other.samples
        self.cpu.update(other.cpu)
        self.activity.update(other.activity)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    @property
    def errors(self) -> int:
        return sum(1 for status in self.statuses if not 200 <= status < 300)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class Clients:
    """CLIENTS processes (spawned: they import no Django and inherit none of our descriptors)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        ctx = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for _ in range(CLIENTS):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=_client_loop, args=(server.port, server.choices, child), daemon=True
            )
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def run(self, path: str, total: int, seed: int, *, watch: bool = False) -> LoadResult:
        """`total` requests spread over the clients; the clock starts once all are connected."""
        shares = [total // CLIENTS + (1 if i < total % CLIENTS else 0) for i in range(CLIENTS)]
        for index, (pipe, share) in enumerate(zip(self.pipes, shares, strict=True)):
            pipe.send((path, seed * 100 + index, share))
        for pipe in self.pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("load clients did not get ready")
        before = cpu_snapshot(self.server)
        watcher = ActivityWatcher() if watch else None
        for pipe in self.pipes:
            pipe.send("go")
        parts = [pipe.recv() for pipe in self.pipes]
        activity = watcher.stop() if watcher else Counter()
        after = cpu_snapshot(self.server)
        result = LoadResult(activity=activity)
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


# --- What the machine and the database are doing ----------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    return 0.0


def database_backends() -> list[int]:
    with admin_connection() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME],
        ).fetchall()
    return [pid for (pid,) in rows]


def cpu_snapshot(server: Server) -> dict[str, float]:
    """CPU seconds so far: the machine (busy and all), the workers, PostgreSQL for this DB."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return {
        "machine busy": (sum(values) - idle) / TICK,
        "machine": sum(values) / TICK,
        "gunicorn workers": sum(cpu_seconds(pid) for pid in server.workers),
        "postgres (bench db)": sum(cpu_seconds(pid) for pid in database_backends()),
    }


_ACTIVITY_SQL = """
SELECT a.state, a.wait_event_type, a.wait_event,
       EXISTS (SELECT 1 FROM pg_locks l
               WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)
FROM pg_stat_activity a
WHERE a.datname = %s AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
"""


class ActivityWatcher:
    """Samples the bench database's connections every 50 ms, in a thread, while a run goes on.

    Counts, per sample: connections waiting for the audit append lock (an advisory lock), and
    what the one holding it is doing: running SQL, flushing WAL at commit, or "idle in
    transaction" (the lock is held while the application is busy in Python).
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        with admin_connection(DB_NAME) as conn:
            while not self._stop.wait(0.05):
                rows = conn.execute(_ACTIVITY_SQL, [DB_NAME]).fetchall()
                self.counts["samples"] += 1
                self.counts["connections"] += len(rows)
                self.counts["waiting for the append lock"] += sum(
                    1 for _s, kind, event, _h in rows if kind == "Lock" and event == "advisory"
                )
                for state, kind, event, holds in rows:
                    if holds:
                        self.counts["lock held"] += 1
                        if state == "idle in transaction":
                            self.counts["holder: idle in transaction"] += 1
                        elif kind in {"IO", "LWLock"} and event and "WAL" in event:
                            self.counts["holder: flushing WAL"] += 1
                        else:
                            self.counts["holder: running SQL"] += 1

    def stop(self) -> Counter[str]:
        self._stop.set()
        self._thread.join(timeout=10)
        return self.counts


# --- Setup: database, vault, server -----------------------------------------------------------


def admin_connection(dbname: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(f"{PG_URL}/{dbname}", autocommit=True)


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def create_database() -> None:
    drop_database()
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def bench_env(tmp: Path, namespace: str, port: int) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(BENCH_SECRETS)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.insert_site.settings",
        PORTAL_ENV="production",
        DEBUG="0",
        ALLOWED_HOSTS="localhost",
        SECURE_SSL_REDIRECT="0",  # plain http on the loopback interface
        SECURE_HSTS_SECONDS="0",
        PORTAL_VAR_DIR=str(tmp / "var"),
        AUDIT_CHECKPOINT_FILE="",
        DATABASE_URL=f"{PG_URL}/{DB_NAME}",
        CACHE_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,  # urgent tips queue a notification; no worker runs here
        BENCH_NAMESPACE=namespace,
        TIP_RATE_SUBMISSIONS="0",
        TIP_RATE_FOLLOW_UPS="0",
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(SERVER["workers"]),
        GUNICORN_THREADS=str(SERVER["threads"]),
        GUNICORN_LOG_LEVEL="warning",
        GUNICORN_MAX_REQUESTS="0",  # no recycling: memory growth must show
        PYTHONUNBUFFERED="1",
    )
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)
    return env


def redacted(text: str) -> str:
    from portal.logs import redact_addresses

    return redact_addresses(text[-6000:])


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{redacted(done.stdout + done.stderr)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    choices: Choices
    workers: list[int] = field(default_factory=list)


def _get_status(port: int, path: str) -> int:
    with _connect(port) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        return read_response(sock, b"")[0]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, choices: Choices) -> Iterator[Server]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("-c", "portal/gunicorn_conf.py", "--worker-class", SERVER["worker_class"]),
        "--no-control-socket",  # gunicorn 27's ~/.gunicorn/gunicorn.ctl is shared by all of them
        "portal.wsgi:application",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    server = Server(port, process, choices)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{redacted(log.read_text())}")
            server.workers = children(process.pid)
            with contextlib.suppress(OSError, ValueError, IndexError):
                if (
                    len(server.workers) == SERVER["workers"]
                    and _get_status(port, "/healthz/") == 200
                ):
                    break
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cleanup_redis(namespace: str) -> None:
    """Deletes this run's keys only: its queue, its exchange binding, its cache keys."""
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# --- Report -----------------------------------------------------------------------------------


def row(label: str, figure: str, note: str = "") -> None:
    print(f"  {label:<40} {figure:>14}  {note}".rstrip())


def verdict(ok: bool, target: str) -> str:
    return "ok" if ok else f"MISSES the target ({target})"


def report_load(name: str, result: LoadResult) -> None:
    row(f"{name}: throughput", f"{result.rate:,.1f} /s", f"{len(result.latencies):,} requests")
    row(
        f"{name}: latency p50 / p95 / p99",
        f"{result.percentile(50):.1f} / {result.percentile(95):.1f} / "
        f"{result.percentile(99):.1f} ms",
    )
    row(f"{name}: non-2xx responses", f"{result.errors}", verdict(result.errors == 0, "0"))
    for sample in result.samples[:3]:
        print(f"    e.g. {redacted(sample)}")
    cpu, count = result.cpu, len(result.latencies)
    row(
        f"{name}: CPU per request",
        f"{cpu['gunicorn workers'] / count * 1000:.2f} ms",
        f"in gunicorn workers, + {cpu['postgres (bench db)'] / count * 1000:.2f} ms in PostgreSQL",
    )
    cores = cpu["machine"] / result.wall
    ours = sum(cpu[k] for k in ("gunicorn workers", "postgres (bench db)", "load clients"))
    cpu["everything else"] = max(0.0, cpu["machine busy"] - ours)
    shares = ", ".join(
        f"{who} {cpu[who] / cpu['machine'] * 100:.0f}%"
        for who in (
            "machine busy",
            "gunicorn workers",
            "postgres (bench db)",
            "load clients",
            "everything else",
        )
    )
    print(f"  {name}: CPU of {cores:.0f} cores: {shares}")
    if cpu["everything else"] > 0.1 * cpu["machine"]:
        print(
            "  note: other processes on this machine took over 10% of the CPU during these"
            " rounds; the figures are lower than a quiet machine would give."
        )


def report_activity(activity: Counter[str]) -> None:
    samples = activity["samples"]
    if not samples:
        return
    held = activity["lock held"] or 1
    print(f"  tips: database connections, {samples} samples of pg_stat_activity during the rounds:")
    row("  connections (mean)", f"{activity['connections'] / samples:.1f}")
    row(
        "  waiting for the audit append lock",
        f"{activity['waiting for the append lock'] / samples:.2f}",
        "mean",
    )
    row("  audit append lock held", f"{activity['lock held'] / samples * 100:.0f}%", "of samples")
    for what in ("running SQL", "flushing WAL", "idle in transaction"):
        row(f"    holder {what}", f"{activity[f'holder: {what}'] / held * 100:.0f}%", "of those")


def report_memory(memory: list[list[float]], points: list[int], errors: int) -> None:
    print(f"memory: VmRSS of each gunicorn worker, after the warm-up and over {points[-1]:,} tips")
    print("  tips so far:  " + "".join(f"{p:>9,}" for p in points))
    for index in range(len(memory[0])):
        series = [sample[index] for sample in memory]
        growth = series[-1] - series[0]
        print(
            f"  worker {index + 1} (MB): "
            + "".join(f"{v:9.1f}" for v in series)
            + f"   {growth:+.1f} MB ({growth / series[0] * 100:+.1f}%)"
        )
    print(f"  non-2xx responses over all {points[-1]:,} tips: {errors}")


def main() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
        django.setup()
    choices = app_choices()
    namespace = f"bench-submit-{secrets.token_hex(6)}"
    tmp = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    port = free_port()
    env = bench_env(tmp, namespace, port)
    threads = f" x {SERVER['threads']} threads" if SERVER["worker_class"] == "gthread" else ""
    print(
        f"server: gunicorn {SERVER['worker_class']}, {SERVER['workers']} workers{threads}, "
        f"production profile, PostgreSQL; {CLIENTS} keep-alive clients, {os.cpu_count()} cores"
    )
    try:
        create_database()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "vault_init", "--recovery-key-out", str(tmp / "recovery-key"))
        with gunicorn(env, port, tmp / "gunicorn.log", choices) as server:
            clients = Clients(server)
            try:
                baseline, tips, memory, points, errors = run_phases(server, clients)
            finally:
                clients.close()
            if server.process.poll() is not None or children(server.process.pid) != server.workers:
                print("  note: a gunicorn worker was replaced during the run")
        print(
            f"results: {ROUNDS} alternating rounds of each kind, "
            f"after a warm-up of {WARMUP:,} requests of each"
        )
        report_load("baseline insert", baseline)
        report_load("tips", tips)
        report_activity(tips.activity)
        ratio = tips.rate / baseline.rate
        p95 = tips.percentile(95)
        row("ratio tips/s / inserts/s", f"{ratio:.3f}", verdict(ratio >= 0.25, ">= 0.25"))
        row("tips latency p95", f"{p95:.1f} ms", verdict(p95 < 100, "< 100 ms"))
        report_memory(memory, points, errors)
        forced = os.environ.get("BENCH_SUBMIT_PROFILE", "")
        in_process(env, profile=forced == "1" or (forced != "0" and (ratio < 0.25 or p95 >= 100)))
    finally:
        with contextlib.suppress(Exception):
            drop_database()
        cleanup_redis(namespace)
        shutil.rmtree(tmp, ignore_errors=True)


def run_phases(
    server: Server, clients: Clients
) -> tuple[LoadResult, LoadResult, list[list[float]], list[int], int]:
    clients.run(INSERT_PATH, WARMUP, seed=1)
    clients.run(TIPS_PATH, WARMUP, seed=2)
    memory, points = [[rss_mb(pid) for pid in server.workers]], [0]
    baseline, tips = LoadResult(), LoadResult()
    per_round = [MEASURED // ROUNDS + (1 if i < MEASURED % ROUNDS else 0) for i in range(ROUNDS)]
    for index, count in enumerate(per_round):
        baseline.add(clients.run(INSERT_PATH, count, seed=10 + index))
        tips.add(clients.run(TIPS_PATH, count, seed=20 + index, watch=True))
    # The measured tips count towards the memory run; then MEMORY_STEP more at a time.
    done, errors, seed = MEASURED, tips.errors, 30
    while True:
        memory.append([rss_mb(pid) for pid in server.workers])
        points.append(done)
        if done >= MEMORY_TIPS:
            return baseline, tips, memory, points, errors
        count = min(MEMORY_STEP - done % MEMORY_STEP, MEMORY_TIPS - done)
        errors += clients.run(TIPS_PATH, count, seed=seed).errors
        done, seed = done + count, seed + 1


# --- In-process: queries per request, and a profile -------------------------------------------


def in_process(env: dict[str, str], *, profile: bool) -> None:
    """`python -m bench.bench_submit --in-process` under the server's settings and database."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_submit", "--in-process"],
        cwd=ROOT,
        env=dict(env, BENCH_SUBMIT_PROFILE="1" if profile else "0"),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    print(redacted(done.stdout if done.returncode == 0 else done.stdout + done.stderr))


class QueryTimer:
    """Every query of a block with its own time (CaptureQueriesContext rounds to milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, " ".join(sql.split())))


def _in_process_main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    choices = app_choices()
    rng = random.Random(99)  # noqa: S311 - test data, not secrets
    client = Client(HTTP_HOST="localhost")

    def post(path: str, serial: int) -> int:
        body = tip_body(rng, serial, choices)
        return client.post(path, body, content_type="application/json").status_code

    for serial in range(50):
        assert post(TIPS_PATH, 9_000_000 + serial) == 201
        assert post(INSERT_PATH, 9_000_000 + serial) == 201
    print("in-process (Django test client, one thread, the server's settings and database):")
    for name, path in (("baseline insert", INSERT_PATH), ("tip submission", TIPS_PATH)):
        counts, spent = [], []
        for serial in range(100):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                assert post(path, 9_100_000 + serial) == 201
            counts.append(len(timer.queries))
            spent.append(sum(t for t, _sql in timer.queries))
            if serial == 0:
                print(f"  {name}, one request's queries:")
                for seconds, sql in timer.queries:
                    print(f"    {seconds * 1000:6.2f} ms  {sql[:96]}")
        row(
            f"{name}: queries per request",
            f"{min(counts)}-{max(counts)}",
            f"mean {sum(counts) / len(counts):.1f}, {sum(spent) / len(spent) * 1000:.2f} ms "
            "in the database driver (mean)",
        )
    rounds = 300
    for name, path in (("baseline insert", INSERT_PATH), ("tip submission", TIPS_PATH)):
        started = time.perf_counter()
        for serial in range(rounds):
            post(path, 9_200_000 + serial)
        per = (time.perf_counter() - started) / rounds * 1000
        row(f"{name}: one request", f"{per:.2f} ms", f"mean of {rounds}, body building included")
    if os.environ.get("BENCH_SUBMIT_PROFILE") == "1":
        direct_timings(choices)
        sample_tips(post, rounds)
        profile_tips(post, rounds)


def sample_tips(post: Any, rounds: int) -> None:
    """Wall-clock sampling (every ~1 ms, from a thread): shares without cProfile's inflation."""
    main_id, stop, counts = threading.get_ident(), threading.Event(), Counter()
    wanted = [(module, set(functions.split()), label) for label, module, functions in BREAKDOWN]

    def sampler() -> None:
        while not stop.is_set():
            frame = sys._current_frames().get(main_id)
            seen = set()
            while frame is not None:
                seen.add((frame.f_code.co_filename, frame.f_code.co_name))
                frame = frame.f_back
            for module, names, label in wanted:
                if any(name in names and path.endswith(module) for path, name in seen):
                    counts[label] += 1
            time.sleep(0.001)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)  # lets the sampler in while the request runs Python
    thread = threading.Thread(target=sampler, daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        for serial in range(rounds):
            post(TIPS_PATH, 9_400_000 + serial)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    per = (time.perf_counter() - started) / rounds * 1000
    whole = counts[BREAKDOWN[0][0]] or 1
    print(
        f"sampled: {rounds} tip submissions, {per:.2f} ms each with the sampler on; share of the"
        " request's wall time (and that share of it in ms):"
    )
    for label, _module, _functions in BREAKDOWN:
        share = counts[label] / whole
        row(f"  {label}", f"{share * per:.2f} ms", f"{share * 100:5.1f}%")


def direct_timings(choices: Choices) -> None:
    """The big steps of a submission called on their own, without a profiler's overhead."""
    from django.db import transaction

    from portal import vault
    from tips import actions, extract
    from tips.api import TipSerializer

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    documents = [json.loads(tip_body(rng, 9_500_000 + i, choices)) for i in range(300)]

    def validated(document: dict[str, Any]) -> Any:
        serializer = TipSerializer(data=document)
        serializer.is_valid(raise_exception=True)
        return serializer.submission(())

    submissions = [validated(document) for document in documents]

    def extraction(submission: Any) -> Any:
        found = extract.extract_all(submission.identifiers, *submission.free_texts())
        return extract.index_values(found)

    def record_key(_submission: Any) -> Any:
        with transaction.atomic():
            key = vault.new_record_key(("tips.tip", "bench"), desks=[vault.triage_desk()])
            transaction.set_rollback(True)
        return key

    steps = (
        ("JSON parse + TipSerializer + submission", lambda d: validated(json.loads(json.dumps(d)))),
        ("extract_all + index_values", extraction),
        ("vault.triage_desk() (1 query)", lambda _s: vault.triage_desk()),
        ("desk + new_record_key (rolled back)", record_key),
        ("actions.do_submit_tip (stores the tip)", actions.do_submit_tip),
    )
    print("timed on their own (mean of 300 calls, no profiler):")
    for label, step in steps:
        inputs = documents if label.startswith("JSON") else submissions
        step(inputs[0])
        started = time.perf_counter()
        for item in inputs:
            step(item)
        row(f"  {label}", f"{(time.perf_counter() - started) / len(inputs) * 1000:.2f} ms")


def profile_tips(post: Any, rounds: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for serial in range(rounds):
        post(TIPS_PATH, 9_300_000 + serial)
    profiler.disable()
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]

    def cumulative(module: str, functions: str) -> float:
        names = functions.split()
        return sum(v[3] for k, v in table.items() if k[0].endswith(module) and k[2] in names)

    whole = cumulative(*BREAKDOWN[0][1:])
    print(
        f"profile: {rounds} tip submissions under cProfile (which inflates Python-heavy code);"
        " cumulative time per submission:"
    )
    for label, module, functions in BREAKDOWN:
        spent = cumulative(module, functions)
        row(f"  {label}", f"{spent / rounds * 1000:.2f} ms", f"{spent / whole * 100:5.1f}%")
    print("  top functions by own time:")
    own = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)
    for (filename, line, function), (_cc, calls, tottime, _ct, _callers) in own[:15]:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        print(
            f"    {tottime / rounds * 1000:6.3f} ms {calls / rounds:6.1f}/req  "
            f"{where}:{line} {function}"
        )


# (label, file suffix, function names): the steps of a submission, to attribute its time.
BREAKDOWN = (
    ("whole request (WSGI handler)", "django/test/client.py", "__call__"),
    ("TipsView.post", "tips/api.py", "post"),
    ("TipSerializer validation", "rest_framework/serializers.py", "is_valid"),
    ("actions.do_submit_tip", "tips/actions.py", "do_submit_tip"),
    ("extract.extract_all", "tips/extract.py", "extract_all"),
    ("extract.index_values (HMAC)", "tips/extract.py", "index_values"),
    ("score_submission", "tips/actions.py", "score_submission"),
    (
        "receipt, its lookup, tipster keypair",
        "portal/vault/tipster.py",
        "new_receipt receipt_lookup tipster_keypair",
    ),
    ("vault.triage_desk (1 query)", "portal/vault/desks.py", "triage_desk"),
    ("vault.new_record_key (wrap, 4 q.)", "portal/vault/records.py", "new_record_key"),
    ("  keys.wrap (hybrid HPKE)", "portal/vault/keys.py", "wrap"),
    ("content.encrypt", "portal/vault/content.py", "encrypt"),
    ("Tip.save (1 insert)", "django/db/models/base.py", "save"),
    ("Identifier bulk_create", "django/db/models/query.py", "bulk_create"),
    ("audit.record (lock, head, insert)", "audit/record.py", "record"),
    ("commit", "django/db/backends/base/base.py", "commit"),
    ("all SQL (driver: send + wait)", "django/db/backends/utils.py", "_execute"),
    ("Celery publish (urgent tips)", "celery/app/task.py", "apply_async"),
)


if __name__ == "__main__":
    if sys.argv[1:] == ["--in-process"]:
        _in_process_main()
    else:
        main()
