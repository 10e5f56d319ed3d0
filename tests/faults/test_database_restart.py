"""PostgreSQL restarts during a burst of submissions: no receipt for a lost tip, no HTML, no hang.

A private PostgreSQL cluster (its own data directory, a free port on 127.0.0.1, its Unix socket
in the test's directory: the machine's shared server is never touched) serves a gunicorn with
three sync workers. Three client threads post tips to `/api/v1/tips/` while the test restarts
the cluster with `pg_ctl restart -m fast`, which cuts every open connection.

Asserted: each answer is a 201 JSON with a receipt or a JSON 5xx in the error shape (never an
HTML page, never a request left hanging past the client's timeout); some 201s came before the
restart and some after; and every receipt handed out opens its tip on the restarted server.

The server runs the development profile (DEBUG on): the JSON comes from the API's own
exception handling (portal.middleware.ApiExceptionMiddleware), not from DEBUG being off.
`KEEP_FAULT_DIR=1` keeps the directory (server and gunicorn logs) for a look afterwards.

Measured on 2 cores with PostgreSQL 15, 6 runs one after another: `pg_ctl restart -m fast` took
0.52-0.63 s; requests failed during 0.47-0.97 s, every one a JSON 503 `unavailable` (102-136 of
them, the clients retrying at once) against 37-59 201s; the test took 7-8 s. Three runs at once
on the same 2 cores: restart 0.9-1.0 s, failures during 2.0-2.3 s (51-88 503s, 27-35 201s),
~14 s each. No request went unanswered, none answered HTML, every receipt opened.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.databases import postgres_only
from tests.servers import ROOT, free_port


def _major(bin_dir: str) -> int:
    version = Path(bin_dir).parent.name
    return int(version) if version.isdigit() else 0


PG_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major)  # newest last

pytestmark = [
    pytest.mark.services,
    postgres_only("the PostgreSQL + Redis pass only"),
    pytest.mark.skipif(
        not PG_BIN_DIRS or not Path(PG_BIN_DIRS[-1], "initdb").exists(),
        reason="needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb): "
        "`apt install postgresql`",
    ),
]

CLIENTS = 3
REQUEST_TIMEOUT = 15.0  # a request still unanswered after this long counts as a hang
BUDGET = 150.0  # the whole test, set-up included
WANTED_EACH_SIDE = 10  # 201s before the restart, and again after it
TIP = {
    "what": "other",
    "description": "A van drops workers at the back door every night.",
    "immediate_danger": "no",
    "minor_involved": "no",
}


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def wait_for(self, condition: Callable[[], bool], what: str, *, poll: float = 0.05) -> None:
        """Poll `condition()` until it holds; fail (never hang) when the budget runs out."""
        while not condition():
            if not self.left():
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(poll)


# --- The private cluster ----------------------------------------------------------------------


class PrivateCluster:
    """A throwaway PostgreSQL cluster run by the `postgres` user (it refuses to run as root)."""

    def __init__(self, base: Path) -> None:
        self.bin = Path(PG_BIN_DIRS[-1])
        self.home = base / "pg"
        self.data = self.home / "data"
        self.port = free_port()
        self.home.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")

    def run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, not a pipe: the server pg_ctl starts inherits it and would hold a
        # pipe open long after pg_ctl returned.
        with (self.home / f"{tool}.out").open("ab") as out:
            completed = subprocess.run(
                command, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
            )
        if completed.returncode:
            log = self.home / "server.log"
            pytest.fail(
                f"{tool} {' '.join(args)} failed:\n"
                + (self.home / f"{tool}.out").read_text(errors="replace")[-2000:]
                + (log.read_text(errors="replace")[-2000:] if log.exists() else "")
            )

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start(f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home}")

    def _ctl(self, action: str, *extra: str) -> None:
        log = str(self.home / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "30", *extra, action)

    def start(self, options: str) -> None:
        self._ctl("start", "-o", options)

    def restart(self) -> None:
        # -m fast: open connections are cut (what a failover or an upgrade does); -o is kept
        # from the start in postmaster.opts.
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, pytest.fail.Exception):
            self._ctl("stop", "-m", "immediate")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}?connect_timeout=3"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')


# --- The server and its clients ---------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    sent: float
    done: float
    status: int  # 0: no HTTP answer (refused, reset or timed out)
    content_type: str
    body: bytes
    failure: str = ""


def call(port: int, method: str, path: str, body: dict | None = None) -> Answer:
    sent = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload else {}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return Answer(
            sent, time.monotonic(), response.status, response.getheader("Content-Type") or "",
            response.read(),
        )  # fmt: skip
    except (OSError, http.client.HTTPException) as exc:
        return Answer(sent, time.monotonic(), 0, "", b"", type(exc).__name__)
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], venv_bin: Path, base: Path, deadline: Deadline) -> Iterator[int]:
    """Three sync workers (portal/gunicorn_conf.py), ready once `/readyz/` says so."""
    port = free_port()
    log = (base / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(venv_bin / "gunicorn"), "-c", "portal/gunicorn_conf.py",
         "portal.wsgi:application"],
        cwd=ROOT,
        env=dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="3"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline.wait_for(
            lambda: process.poll() is not None or call(port, "GET", "/readyz/").status == 200,
            "gunicorn to be ready",
            poll=0.2,
        )
        assert process.poll() is None, (base / "gunicorn.log").read_text()
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Burst:
    """Client threads posting tips back to back until told to stop."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(CLIENTS)]

    def client(self) -> None:
        while not self.stopping.is_set():
            answer = call(self.port, "POST", "/api/v1/tips/", TIP)
            with self.lock:
                self.answers.append(answer)

    def created_after(self, moment: float) -> int:
        with self.lock:
            return sum(1 for a in self.answers if a.status == 201 and a.sent > moment)

    def __enter__(self) -> Burst:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)


# --- The test ---------------------------------------------------------------------------------


@pytest.fixture
def base_dir() -> Iterator[Path]:
    # Not tmp_path: pytest makes it 0700 under root's own directory, where `postgres` cannot go.
    base = Path(tempfile.mkdtemp(prefix="tip-portal-pg-restart-"))
    base.chmod(0o711)
    try:
        yield base
    finally:
        if os.environ.get("KEEP_FAULT_DIR"):
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def cluster(base_dir: Path) -> Iterator[PrivateCluster]:
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root needs runuser to start PostgreSQL as `postgres`")
    pg = PrivateCluster(base_dir)
    try:
        pg.init()
        yield pg
    finally:
        pg.stop()


def test_it_answers_json_through_a_database_restart_and_keeps_every_receipt(
    cluster: PrivateCluster,
    base_dir: Path,
    subprocess_env: dict[str, str],
    project_python: str,
    venv_bin: Path,
) -> None:
    deadline = Deadline(BUDGET)
    cluster.create_database("portal")
    env = dict(
        subprocess_env,
        DATABASE_URL=cluster.url("portal"),
        PORTAL_VAR_DIR=str(base_dir / "var"),
        TIP_RATE_SUBMISSIONS="0",
        TIP_RATE_FOLLOW_UPS="0",
    )
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["vault_init", "--recovery-key-out", str(base_dir / "recovery-key")],
    ):
        done = subprocess.run(
            [project_python, "manage.py", *command],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=deadline.left(),
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"manage.py {command[0]} failed:\n{done.stderr[-3000:]}"

    with gunicorn(env, venv_bin, base_dir, deadline) as port:
        with Burst(port) as burst:
            deadline.wait_for(lambda: burst.created_after(0) >= WANTED_EACH_SIDE, "201s before")
            restart_began = time.monotonic()
            cluster.restart()
            restart_ended = time.monotonic()
            deadline.wait_for(
                lambda: burst.created_after(restart_ended) >= WANTED_EACH_SIDE, "201s after"
            )
        answers = burst.answers
        receipts = [json.loads(a.body)["receipt"] for a in answers if a.status == 201]
        opened = [
            call(port, "POST", "/api/v1/follow-up/", {"receipt": receipt}) for receipt in receipts
        ]

    server_log = (base_dir / "gunicorn.log").read_text(errors="replace")[-4000:]
    not_json = [a for a in answers if a.status and a.content_type != "application/json"]
    assert not not_json, ([(a.status, a.content_type, a.body[:200]) for a in not_json], server_log)
    unanswered = [a.failure for a in answers if not a.status]
    assert not unanswered, f"requests without an HTTP answer: {unanswered}\n{server_log}"
    for answer in answers:
        body = json.loads(answer.body)
        if answer.status == 201:
            assert body["status"] == "received" and body["receipt"]
        else:
            assert 500 <= answer.status < 600, (answer.status, body)
            assert set(body["error"]) == {"code", "message", "fields"}, body
    assert any(a.status == 201 and a.done < restart_began for a in answers)
    assert any(a.status == 201 and a.sent > restart_ended for a in answers)
    failed = [a for a in answers if a.status != 201]
    assert failed, "the restart interrupted no request: this run tested nothing"
    assert [a.status for a in opened] == [200] * len(receipts), [
        (a.status, a.body[:200]) for a in opened if a.status != 200
    ]
    assert all(json.loads(a.body)["status"] == "received" for a in opened)
    report = {
        "restart_s": round(restart_ended - restart_began, 2),
        "created": len(receipts),
        "failed": {s: sum(1 for a in failed if a.status == s) for s in {a.status for a in failed}},
        "failing_window_s": round(max(a.done for a in failed) - min(a.sent for a in failed), 2),
        "codes": sorted({json.loads(a.body)["error"]["code"] for a in failed}),
    }
    print(f"database restart: {report}")  # the docstring's figures (pytest -s)
