"""Staff pages on a triage database at scale: one database, loaded once, for all of them.

`python -m bench queue tip_page queue_candidates` (or `python -m bench triage` for the three)
runs them here together, so the load (about 4 minutes for 900,000 tips on 2 cores) is paid once.

1. This process: a fresh PostgreSQL database `<BENCH_DB_PREFIX>_triage`, then a child process
   (`python -m bench.triage_run --child NAME...`) under the production profile (DEBUG off,
   fixed bench secrets, Argon2id at production cost), Django's test client in-process.
2. The child: staff and real tips (bench/triage_data/world.py); then for each of
   BENCH_TRIAGE_SIZES (default 100000,1000000): synthetic tips up to that size, and each
   measurement's `at_size(world, size)`, which returns its kinds of request, the reference page
   among them; then each one's growth from the smallest size to the largest; then each one's
   `at_largest(world)` diagnostics. A measurement module defines either or both.
3. Clean-up: the database is dropped, the temporary directory removed.

Before each phase the child waits (up to BENCH_QUIET_WAIT seconds, default 600) for other
processes to leave at least 75% of the CPU free; what they used anyway is reported. A full run
with the default settings took about 15 minutes on 2 cores (at commit 664b5c3), loading the
synthetic tips at ~3,900 tips/s.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.harness.cpu import wait_for_quiet
from bench.harness.database import fresh_database
from bench.harness.env import database_name, production_env, run_module
from bench.harness.pages import Kind, report_growth
from bench.measurements import MEASUREMENTS


def main(names: list[str]) -> None:
    """Run the measurements `names` (queue, tip_page, ...) on one loaded database."""
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="bench-triage-") as tmp,
        fresh_database(database_name("triage")) as database,
    ):
        env = production_env(
            Path(tmp),
            database=database,
            tag="triage",
            DJANGO_SETTINGS_MODULE="portal.settings",
            ALLOWED_HOSTS="testserver",  # Django's test client
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        run_module("bench.triage_run", "--child", *names, env=env, timeout=6 * 3600)
    print(f"total run time: {time.perf_counter() - started:.0f} s (database dropped)")


def _child_main(names: list[str]) -> None:
    import django

    django.setup()
    import logging

    from django.conf import settings

    from bench.triage_data.settings import SIZES
    from bench.triage_data.synthetic import Loader
    from bench.triage_data.world import grow, setup

    assert not settings.DEBUG
    # No broker: Celery runs tasks eagerly; kombu still warns that it has no hostname.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    started = time.perf_counter()
    measurements = {name: importlib.import_module(MEASUREMENTS[name]) for name in names}
    print(
        f"production profile (DEBUG off), PostgreSQL, Django test client in-process; "
        f"{os.cpu_count()} cores; sizes {', '.join(f'{n:,}' for n in SIZES)}"
    )
    world = setup()
    loader = Loader(os.environ["DATABASE_URL"])
    results: dict[str, dict[int, list[Kind]]] = {name: {} for name in names}
    try:
        for size in SIZES:
            wait_for_quiet(f"loading to {size:,} tips")
            grow(world, loader, size)
            for name, module in measurements.items():
                if hasattr(module, "at_size"):
                    wait_for_quiet(f"{name} at {size:,} tips")
                    results[name][size] = module.at_size(world, size)
        for name, by_size in results.items():
            if len(by_size) > 1:
                print(f"{name}:", end=" ")
                report_growth(by_size, name)
        for module in measurements.values():
            if hasattr(module, "at_largest"):
                module.at_largest(world)
    finally:
        loader.close()
    print(f"child run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child_main(sys.argv[2:])
    else:
        main(sys.argv[1:])
