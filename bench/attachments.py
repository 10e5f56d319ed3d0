"""Attachment cost: peak memory and time of the worst accepted files, and plain tips under a flood.

`python -m bench attachments`.

1. In a child process each (bench/harness/attachment_cases.py, the limits of portal.settings):
   the worst accepted PNG, JPEG and WebP (each at the largest size its limits accept, turned
   by EXIF so cleaning makes a turned copy), the worst accepted PDF (streams inflating to just
   under TIP_PDF_MAX_INFLATED_BYTES) and a 1 GiB PDF bomb: peak RSS the cleaning added, CPU
   and wall time, outcome. Target: every peak under TIP_IMAGE_MEMORY_BYTES.
2. Through gunicorn (production profile, PostgreSQL, BENCH_ATTACH_WORKERS sync workers, rate
   limits off), on a fresh database `<BENCH_DB_PREFIX>_attach`: BENCH_ATTACH_REQUESTS plain
   JSON tips from BENCH_ATTACH_CLIENTS clients alone (the baseline), then as many again while
   BENCH_ATTACH_FLOOD_CLIENTS other clients post tips carrying BENCH_ATTACH_IMAGES worst-case
   PNGs each, without pause. Report: p50/p95 of plain tips alone and under the flood and
   their ratio, flood tips done, non-2xx, and the workers' peak RSS (VmHWM).

Environment: BENCH_ATTACH_REQUESTS (default 300), BENCH_ATTACH_CLIENTS (2),
BENCH_ATTACH_FLOOD_CLIENTS (8), BENCH_ATTACH_IMAGES (5: TIP_ATTACHMENT_MAX_COUNT),
BENCH_ATTACH_WORKERS (3), BENCH_PG_URL, BENCH_REDIS_URL, BENCH_DB_PREFIX.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any

from bench.harness.attachment_cases import run as run_case
from bench.harness.attachment_cases import worst_png
from bench.harness.cpu import children
from bench.harness.database import fresh_database
from bench.harness.env import (
    REDIS_URL,
    database_name,
    forget_redis_namespace,
    manage,
    production_env,
)
from bench.harness.gunicorn import Server, gunicorn
from bench.harness.load import Clients, LoadResult
from bench.harness.report import row, verdict
from bench.tip_json import app_choices, tip_body

TIPS_PATH = "/api/v1/tips/"
REQUESTS = int(os.environ.get("BENCH_ATTACH_REQUESTS", "300"))
CLIENTS = int(os.environ.get("BENCH_ATTACH_CLIENTS", "2"))
FLOOD_CLIENTS = int(os.environ.get("BENCH_ATTACH_FLOOD_CLIENTS", "8"))
IMAGES = int(os.environ.get("BENCH_ATTACH_IMAGES", "5"))
WORKERS = int(os.environ.get("BENCH_ATTACH_WORKERS", "3"))
CASES = ("worst_png", "worst_jpeg", "worst_webp", "worst_pdf", "pdf_bomb")
BOUNDARY = "benchattachmentboundary"


def flood_body(rng: random.Random, serial: int, context: Any) -> tuple[str, bytes]:
    """A plain tip as multipart, carrying `images` copies of the worst accepted PNG."""
    choices, name, image, images = context
    tip = json.loads(tip_body(rng, serial, choices))
    parts = []
    for key, value in tip.items():
        values = value if key == "indicators" else [value]
        for one in values:
            text = (
                json.dumps(one)
                if isinstance(one, dict)
                else str(one).lower()
                if isinstance(one, bool)
                else str(one)
            )
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{text}\r\n".encode()
            )
    parts.extend(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="{index}-{name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        + image
        + b"\r\n"
        for index in range(images)
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return f"multipart/form-data; boundary={BOUNDARY}", b"".join(parts)


def hwm_mb(pid: int) -> float:
    """A worker's peak RSS so far; 0 once it has gone (timed out and replaced)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from django.conf import settings

    bound = settings.TIP_IMAGE_MEMORY_BYTES / 1024 / 1024
    print(
        f"limits: TIP_IMAGE_MAX_PIXELS {settings.TIP_IMAGE_MAX_PIXELS:,}, TIP_IMAGE_MEMORY_BYTES"
        f" {settings.TIP_IMAGE_MEMORY_BYTES:,} ({bound:.0f} MiB), TIP_PDF_MAX_INFLATED_BYTES"
        f" {settings.TIP_PDF_MAX_INFLATED_BYTES:,}"
    )
    print("cleaning alone, one file per child process: peak RSS added, CPU, wall, outcome")
    for case in CASES:
        m = run_case(case)
        detail = f"{m['bytes']:,} B sent -> {m['outcome']}" + (
            f" {m['size'][0]}x{m['size'][1]}" if "size" in m else ""
        )
        row(
            f"{case}: peak / CPU / wall",
            f"{m['peak_mb']:.0f} MB / {m['cpu_seconds']:.2f} s / {m['seconds']:.2f} s",
            f"{detail} {verdict(float(m['peak_mb']) < bound, f'< {bound:.0f} MiB')}",
        )
    flood_through_gunicorn()


def flood_through_gunicorn() -> None:
    choices = app_choices()
    name, image = worst_png()
    namespace = f"bench-attach-{secrets.token_hex(6)}"
    print(
        f"server: gunicorn sync workers x {WORKERS}, production profile, PostgreSQL;"
        f" {CLIENTS} plain-tip clients, {FLOOD_CLIENTS} flood clients posting {IMAGES} x"
        f" {name} ({len(image):,} B) per tip; {os.cpu_count()} cores"
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-attach-") as tmp,
            fresh_database(database_name("attach")) as database,
        ):
            env = production_env(
                Path(tmp),
                database=database,
                tag="attach",
                ALLOWED_HOSTS="localhost",
                SECURE_SSL_REDIRECT="0",
                SECURE_HSTS_SECONDS="0",
                CACHE_URL=REDIS_URL,
                CELERY_BROKER_URL=REDIS_URL,
                BENCH_NAMESPACE=namespace,
                TIP_RATE_SUBMISSIONS="0",
                TIP_RATE_FOLLOW_UPS="0",
            )
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "vault_init", "--recovery-key-out", str(Path(tmp) / "recovery-key"))
            with (
                gunicorn(env, workers=WORKERS, log=Path(tmp) / "gunicorn.log") as server,
                Clients(server.port, CLIENTS, tip_body, choices, dict) as plain,
                Clients(
                    server.port, FLOOD_CLIENTS, flood_body, (choices, name, image, IMAGES), dict
                ) as flood,
            ):
                report(server, plain, flood)
    finally:
        forget_redis_namespace(namespace)


def report(server: Server, plain: Clients, flood: Clients) -> None:
    plain.run(TIPS_PATH, max(20, REQUESTS // 10), seed=1)  # warm-up
    alone = plain.run(TIPS_PATH, REQUESTS, seed=3)
    hwm_before = [hwm_mb(pid) for pid in server.workers]
    flooded, done = LoadResult(), LoadResult()
    stop = threading.Event()

    def keep_flooding() -> None:
        seed = 10
        while not stop.is_set():
            done.add(flood.run(TIPS_PATH, FLOOD_CLIENTS, seed=seed))
            seed += 1

    flooder = threading.Thread(target=keep_flooding)
    flooder.start()
    try:
        flooded = plain.run(TIPS_PATH, REQUESTS, seed=4)
    finally:
        stop.set()
        flooder.join()
    p95_alone, p95_flooded = alone.percentile(95), flooded.percentile(95)
    row(
        "plain tips alone: p50 / p95",
        f"{alone.percentile(50):.1f} / {p95_alone:.1f} ms",
        f"{len(alone.latencies)} tips, non-2xx {alone.errors}",
    )
    row(
        "plain tips under the flood: p50 / p95",
        f"{flooded.percentile(50):.1f} / {p95_flooded:.1f} ms",
        f"{len(flooded.latencies)} tips, non-2xx {flooded.errors}",
    )
    row("ratio p95 flooded / alone", f"{p95_flooded / p95_alone:.1f}")
    row(
        "flood tips",
        f"{len(done.latencies)} in {done.wall:.1f} s",
        f"p50 {done.percentile(50) / 1000:.1f} s, non-2xx {done.errors}"
        + (f" e.g. {done.samples[0][:120]}" if done.samples else ""),
    )
    peaks = [hwm_mb(pid) for pid in server.workers]
    row(
        "workers' peak RSS (VmHWM) plain / flooded",
        " ".join(f"{b:.0f}/{a:.0f}" for b, a in zip(hwm_before, peaks, strict=True)) + " MB",
        "0: the worker was replaced" if 0.0 in peaks else "",
    )
    if children(server.process.pid) != server.workers:
        print("  note: a gunicorn worker was replaced during the run (timeout or crash)")
