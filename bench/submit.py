"""Tip submissions per second through gunicorn on PostgreSQL, against a one-row insert.

`make bench`, or on its own: `.venv/bin/python -m bench submit`.

1. Setup: a fresh PostgreSQL database `<BENCH_DB_PREFIX>` (default `tipportal_bench`, dropped
   first if it exists), migrated, and `vault_init` (recovery key to a temporary file), so tips
   can be sealed and stored.
2. One gunicorn with the product's settings (portal/gunicorn_conf.py: sync worker processes),
   BENCH_SUBMIT_WORKERS of them, production profile (DEBUG off, fixed bench secrets, no SSL
   redirect or HSTS on plain http), serving `bench.insert_site.settings`: portal.settings plus
   one bench app whose view `/bench/insert/` inserts one row and answers 201. The baseline and
   the tips therefore go through the same server, workers, middleware and database. Rate limits
   are off; the Celery broker and the cache are the local Redis, under queue/key names unique
   to this run.
3. Load: BENCH_SUBMIT_CLIENTS processes (bench/harness/load.py). After a warm-up, baseline and
   tips run in alternating rounds (so that anything else running on the machine weighs on both
   alike): `POST /bench/insert/` and `POST /api/v1/tips/` with realistic ~1.5 KB tips, every
   one different (bench/tip_json.py).
4. Report: requests/s, the ratio tips/baseline (target >= 0.35), p50/p95/p99 latency (target:
   p95 < 60 ms for tips), non-2xx count (target 0), who used the CPU, and the audit chain
   lock during the tips rounds: the share of 50 ms samples in which it was held (target < 10%),
   by whom (the sequencer, the checkpoint writer, or a request's own transaction), and whether
   its holder was running SQL, flushing WAL or idle in transaction (bench/harness/locks.py).
5. Memory: the resident size (VmRSS) of each gunicorn worker after the warm-up and every 2,000
   tips up to BENCH_SUBMIT_MEMORY_TIPS; growth is reported, not asserted.
6. In-process, same settings and database (bench/submit_in_process.py): queries per request
   and, when a target is missed or BENCH_SUBMIT_PROFILE=1, where a submission's time goes.
7. Clean-up: gunicorn and the clients stopped, the database dropped, this run's Redis keys gone.

Environment: BENCH_SUBMIT_REQUESTS (measured requests per kind, default 4000),
BENCH_SUBMIT_ROUNDS (4), BENCH_SUBMIT_WARMUP (500), BENCH_SUBMIT_CLIENTS (16),
BENCH_SUBMIT_WORKERS (3), BENCH_SUBMIT_MEMORY_TIPS (10000), BENCH_SUBMIT_PROFILE (1: always,
0: never), BENCH_SUBMIT_OTHER_CLIENTS (1,64: one more pair of rounds at each of these numbers of
clients, BENCH_SUBMIT_OTHER_REQUESTS (400) requests of each kind), BENCH_PG_URL,
BENCH_REDIS_URL, BENCH_DB_PREFIX.

Three sync workers on 2 cores: one more process than cores keeps both busy while a worker
waits on PostgreSQL; 2-4 measured within the noise of each other (why processes and not
threads: docs/decisions.md, "Submission throughput").

Nothing printed names a client address; server output is shown only on failure, redacted.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections import Counter
from pathlib import Path

from bench.harness.cpu import children, cpu_seconds, machine_seconds, rss_mb
from bench.harness.database import backend_pids, fresh_database
from bench.harness.env import (
    REDIS_URL,
    database_name,
    forget_redis_namespace,
    manage,
    production_env,
    redacted,
    run_module,
)
from bench.harness.gunicorn import Server, gunicorn
from bench.harness.load import Clients, LoadResult
from bench.harness.locks import AppendLockSampler
from bench.harness.report import row, verdict
from bench.harness.summary import figure
from bench.tip_json import app_choices, tip_body

TIPS_PATH = "/api/v1/tips/"
INSERT_PATH = "/bench/insert/"

CLIENTS = int(os.environ.get("BENCH_SUBMIT_CLIENTS", "16"))
MEASURED = int(os.environ.get("BENCH_SUBMIT_REQUESTS", "4000"))
ROUNDS = int(os.environ.get("BENCH_SUBMIT_ROUNDS", "4"))
WARMUP = int(os.environ.get("BENCH_SUBMIT_WARMUP", "500"))
WORKERS = int(os.environ.get("BENCH_SUBMIT_WORKERS", "3"))
MEMORY_TIPS = int(os.environ.get("BENCH_SUBMIT_MEMORY_TIPS", "10000"))
MEMORY_STEP = 2000
TARGET_RATIO = 0.35
TARGET_P95 = 60.0
TARGET_LOCK_HELD = 10.0  # % of samples
# Reported besides the main run, without targets: one client (latency alone) and a crowd.
OTHER_CLIENTS = [
    int(n) for n in os.environ.get("BENCH_SUBMIT_OTHER_CLIENTS", "1,64").split(",") if n.strip()
]
OTHER_REQUESTS = int(os.environ.get("BENCH_SUBMIT_OTHER_REQUESTS", "400"))
CPU_SHARES = ("machine busy", "gunicorn workers", "postgres (bench db)", "load clients")


def server_env(tmp: Path, database: str, namespace: str) -> dict[str, str]:
    return production_env(
        tmp,
        database=database,
        tag="submit",
        DJANGO_SETTINGS_MODULE="bench.insert_site.settings",
        ALLOWED_HOSTS="localhost",
        SECURE_SSL_REDIRECT="0",  # plain http on the loopback interface
        SECURE_HSTS_SECONDS="0",
        CACHE_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,  # urgent tips queue a notification; no worker runs here
        BENCH_NAMESPACE=namespace,
        TIP_RATE_SUBMISSIONS="0",
        TIP_RATE_FOLLOW_UPS="0",
    )


def cpu_counter(server: Server, database: str) -> dict[str, float]:
    """CPU seconds so far: the machine (busy and all), the workers, PostgreSQL for this DB."""
    busy, total = machine_seconds()
    return {
        "machine busy": busy,
        "machine": total,
        "gunicorn workers": sum(cpu_seconds(pid) for pid in server.workers),
        "postgres (bench db)": sum(cpu_seconds(pid) for pid in backend_pids(database)),
    }


def main() -> None:
    choices = app_choices()
    namespace = f"bench-submit-{secrets.token_hex(6)}"
    print(
        f"server: gunicorn sync workers x {WORKERS} (portal/gunicorn_conf.py), production"
        f" profile, PostgreSQL; {CLIENTS} keep-alive clients, {os.cpu_count()} cores"
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp,
            fresh_database(database_name()) as database,
        ):
            env = server_env(Path(tmp), database, namespace)
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "vault_init", "--recovery-key-out", str(Path(tmp) / "recovery-key"))
            with gunicorn(env, workers=WORKERS, log=Path(tmp) / "gunicorn.log") as server:
                with Clients(
                    server.port, CLIENTS, tip_body, choices, lambda: cpu_counter(server, database)
                ) as clients:
                    baseline, tips, memory, points, errors, lock = run_phases(
                        server, clients, database
                    )
                others = [
                    (count, *other_clients(server, database, count, choices))
                    for count in OTHER_CLIENTS
                ]
                if (
                    server.process.poll() is not None
                    or children(server.process.pid) != server.workers
                ):
                    print("  note: a gunicorn worker was replaced during the run")
            ratio, p95 = report(baseline, tips)
            for count, other_baseline, other_tips in others:
                report_other(count, other_baseline, other_tips)
            for name, value in lock.summary():
                row(f"tips: {name}", value)
            held = lock.held_percent()
            figure(
                "submit",
                "chain lock held (% of samples)",
                held,
                unit="%",
                target=f"< {TARGET_LOCK_HELD:g}%",
                ok=held < TARGET_LOCK_HELD,
            )
            for who in ("sequencer", "request path"):
                figure(
                    "submit", f"chain lock held by the {who} (%)", lock.held_percent(who), unit="%"
                )
            report_memory(memory, points, errors)
            forced = os.environ.get("BENCH_SUBMIT_PROFILE", "")
            missed = ratio < TARGET_RATIO or p95 >= TARGET_P95
            profile = forced == "1" or (forced != "0" and missed)
            # Captured and redacted: what it prints comes from the server's settings and data.
            output = run_module(
                "bench.submit_in_process",
                env=dict(env, BENCH_SUBMIT_PROFILE="1" if profile else "0"),
                timeout=1200,
                capture=True,
            )
            print(redacted(output, limit=None), end="")
    finally:
        forget_redis_namespace(namespace)


def run_phases(
    server: Server, clients: Clients, database: str
) -> tuple[LoadResult, LoadResult, list[list[float]], list[int], int, AppendLockSampler]:
    clients.run(INSERT_PATH, WARMUP, seed=1)
    clients.run(TIPS_PATH, WARMUP, seed=2)
    memory, points = [[rss_mb(pid) for pid in server.workers]], [0]
    baseline, tips = LoadResult(), LoadResult()
    per_round = [MEASURED // ROUNDS + (1 if i < MEASURED % ROUNDS else 0) for i in range(ROUNDS)]
    lock = AppendLockSampler(database)
    for index, count in enumerate(per_round):
        baseline.add(clients.run(INSERT_PATH, count, seed=10 + index))
        with lock:  # sampled during the tips rounds only
            tips.add(clients.run(TIPS_PATH, count, seed=20 + index))
    # The measured tips count towards the memory run; then MEMORY_STEP more at a time.
    done, errors, seed = MEASURED, tips.errors, 30
    while True:
        memory.append([rss_mb(pid) for pid in server.workers])
        points.append(done)
        if done >= MEMORY_TIPS:
            return baseline, tips, memory, points, errors, lock
        count = min(MEMORY_STEP - done % MEMORY_STEP, MEMORY_TIPS - done)
        errors += clients.run(TIPS_PATH, count, seed=seed).errors
        done, seed = done + count, seed + 1


def other_clients(
    server: Server, database: str, count: int, choices: object
) -> tuple[LoadResult, LoadResult]:
    """One alternating pair of rounds at another number of clients (after the main run)."""
    requests = max(OTHER_REQUESTS, count * 4)
    with Clients(
        server.port, count, tip_body, choices, lambda: cpu_counter(server, database)
    ) as clients:
        clients.run(INSERT_PATH, count * 2, seed=90)
        clients.run(TIPS_PATH, count * 2, seed=91)
        return clients.run(INSERT_PATH, requests, seed=92), clients.run(
            TIPS_PATH, requests, seed=93
        )


def report_other(count: int, baseline: LoadResult, tips: LoadResult) -> None:
    ratio = tips.rate / baseline.rate
    where = f"{count} client{'s' if count > 1 else ''}"
    row(
        f"{where}: tips/s, inserts/s, ratio",
        f"{tips.rate:,.1f} / {baseline.rate:,.1f}",
        f"{ratio:.3f}; {len(tips.latencies):,} of each",
    )
    row(
        f"{where}: tips latency p50 / p95",
        f"{tips.percentile(50):.1f} / {tips.percentile(95):.1f} ms",
        f"{tips.errors} non-2xx",
    )
    figure("submit", f"tips/s against inserts/s, {where}", tips.rate, unit="/s",
           baseline=baseline.rate)  # fmt: skip
    figure("submit", f"latency p95, {where}", tips.percentile(95), unit="ms",
           baseline=baseline.percentile(95))  # fmt: skip


def report(baseline: LoadResult, tips: LoadResult) -> tuple[float, float]:
    print(
        f"results: {ROUNDS} alternating rounds of each kind, "
        f"after a warm-up of {WARMUP:,} requests of each"
    )
    report_load("baseline insert", baseline)
    report_load("tips", tips)
    ratio = tips.rate / baseline.rate
    p95 = tips.percentile(95)
    ratio_target, p95_target = f">= {TARGET_RATIO:g}", f"< {TARGET_P95:g} ms"
    row("ratio tips/s / inserts/s", f"{ratio:.3f}", verdict(ratio >= TARGET_RATIO, ratio_target))
    row("tips latency p95", f"{p95:.1f} ms", verdict(p95 < TARGET_P95, p95_target))
    where = f"{CLIENTS} clients"
    figure(
        "submit",
        f"tips/s against inserts/s, {where}",
        tips.rate,
        unit="/s",
        baseline=baseline.rate,
        target=f"ratio {ratio_target}",
        ok=ratio >= TARGET_RATIO,
    )
    figure(
        "submit",
        f"latency p95, {where}",
        p95,
        unit="ms",
        baseline=baseline.percentile(95),
        target=p95_target,
        ok=p95 < TARGET_P95,
    )
    figure(
        "submit",
        "worker CPU per request",
        cpu_per_request(tips),
        unit="ms",
        baseline=cpu_per_request(baseline),
    )
    figure(
        "submit",
        "non-2xx responses",
        tips.errors,
        baseline=None,
        target="0",
        ok=tips.errors == 0,
    )
    return ratio, p95


def cpu_per_request(result: LoadResult) -> float:
    """Milliseconds of gunicorn worker CPU per request (less sensitive to load than latency)."""
    return Counter(result.cpu)["gunicorn workers"] / max(1, len(result.latencies)) * 1000


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
    cpu, count = Counter(result.cpu), len(result.latencies)
    row(
        f"{name}: CPU per request",
        f"{cpu['gunicorn workers'] / count * 1000:.2f} ms",
        f"in gunicorn workers, + {cpu['postgres (bench db)'] / count * 1000:.2f} ms in PostgreSQL",
    )
    cores = cpu["machine"] / result.wall
    ours = sum(cpu[k] for k in CPU_SHARES[1:])
    cpu["everything else"] = max(0.0, cpu["machine busy"] - ours)
    shares = ", ".join(
        f"{who} {cpu[who] / cpu['machine'] * 100:.0f}%" for who in (*CPU_SHARES, "everything else")
    )
    print(f"  {name}: CPU of {cores:.0f} cores: {shares}")
    if cpu["everything else"] > 0.1 * cpu["machine"]:
        print(
            "  note: other processes on this machine took over 10% of the CPU during these"
            " rounds; the figures are lower than a quiet machine would give."
        )


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
    if len(points) > 2:
        # Growth after the second sample: the first thousands of tips fill caches and pools.
        settled = max(series[-1] - series[1] for series in zip(*memory, strict=True))
        figure(
            "submit",
            f"worker memory growth, tips {points[1]:,}-{points[-1]:,}",
            settled,
            unit="MB",
            target="< 5 MB",
            ok=settled < 5,
        )
