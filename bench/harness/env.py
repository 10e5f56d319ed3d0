"""Where the bench runs: its paths, servers and secrets, and the environment of its children.

Measurements that need the production profile (DEBUG off, real key-derivation cost) run it in a
child process: `python -m bench` itself runs under the test settings.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# Every bench database is named after this, so that two checkouts benchmarking against one
# PostgreSQL server do not drop each other's databases.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "tipportal_bench")

SECRET_NAMES = (
    "SECRET_KEY",
    "AUDIT_SIGNING_KEY",
    "VAULT_PASSWORD_PEPPER",
    "VAULT_RECEIPT_KEY",
    "VAULT_INDEX_KEY",
    "OTP_SEED_KEY",
    "OTP_HASH_KEY",
)
# What a child keeps from the caller's environment besides the BENCH_* settings.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


def database_name(suffix: str = "") -> str:
    """The bench database of one measurement; the name goes into SQL, hence the strict check."""
    name = f"{DB_PREFIX}_{suffix}" if suffix else DB_PREFIX
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"BENCH_DB_PREFIX gives an unusable database name: {name!r}")
    return name


def bench_secrets(tag: str) -> dict[str, str]:
    """Fixed secrets for a bench database only (it is dropped at the end of the run)."""
    return {
        name: f"bench-{tag}-{name.lower().replace('_', '-')}-not-for-production-0123456789abcdef"
        for name in SECRET_NAMES
    }


def production_env(tmp: Path, *, database: str, tag: str, **overrides: str) -> dict[str, str]:
    """The production profile on a bench database, files under `tmp`, nothing else inherited."""
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env.update({name: value for name, value in os.environ.items() if name.startswith("BENCH_")})
    env.update(bench_secrets(tag))
    env.update(
        PORTAL_ENV="production",
        DEBUG="0",
        PORTAL_VAR_DIR=str(tmp / "var"),
        STORAGE_ROOT=str(tmp / "storage"),
        AUDIT_CHECKPOINT_FILE="",
        DATABASE_URL=f"{PG_URL}/{database}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)
    return env


def redacted(text: str, limit: int | None = 6000) -> str:
    """A child's output (its last `limit` characters) with every IP address replaced."""
    from portal.logs import redact_addresses

    return redact_addresses(text[-limit:] if limit else text)


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


def run_module(
    module: str, *args: str, env: dict[str, str], timeout: float, capture: bool = False
) -> str:
    """`python -m module args` under `env`. Its output passes through as it comes, or with
    `capture` is returned (and shown, redacted, if it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        timeout=timeout,
        check=False,
        capture_output=capture,
        text=True,
    )
    if done.returncode:
        shown = f":\n{redacted((done.stdout or '') + (done.stderr or ''))}" if capture else ""
        raise RuntimeError(f"{module} failed with exit status {done.returncode}{shown}")
    return done.stdout or ""


def forget_redis_namespace(namespace: str) -> None:
    """Deletes one run's keys only (its queue, exchange binding and cache keys): Redis is shared."""
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
