"""Helpers of the rate-limit tests: a client address of each test's own, and cache settings
pointed at a redis-server of the test's own."""

from __future__ import annotations

import secrets
from typing import Any

from tests.servers import redis_cache_settings


def fresh_address() -> str:
    # Each test counts under its own address: the cache may be shared by parallel test runs.
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def redis_cache(port: int) -> dict[str, Any]:
    return redis_cache_settings(f"redis://127.0.0.1:{port}/1")
