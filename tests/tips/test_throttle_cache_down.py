"""The intake stays open when the rate-limit cache is down or frozen (tips/throttle.py).

Each fault is of the test's own making: a private redis-server on a free port that the test
stops, or a listening socket that never answers. Nothing shared is touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from django.http import HttpResponse
from django.test import Client, RequestFactory

from tests.servers import free_port, running
from tests.tips.payloads import api_tip, form_tip
from tests.tips.throttling import fresh_address, redis_cache
from tips import throttle

REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs redis-server on PATH (`sudo apt install redis-server`)"
)
HANG_BOUND = 5.0  # seconds: a bound on hanging, not a performance target


@contextlib.contextmanager
def private_redis(port: int) -> Iterator[redis.Redis]:
    """A redis-server of this test's own; stopped, and waited for, when the block ends."""
    assert REDIS_SERVER is not None
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    with running(command, dict(os.environ), "Ready to accept connections", timeout=30):
        direct = redis.Redis(port=port, db=1, socket_timeout=5)
        try:
            yield direct
        finally:
            direct.close()


def counters(direct: redis.Redis, scope: str) -> list[int]:
    return [int(direct.get(key) or 0) for key in direct.keys(f"*ratelimit:{scope}:*")]


def throttle_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "tips.throttle"]


def submit(client: Client) -> HttpResponse:
    return client.post("/api/v1/tips/", api_tip(), content_type="application/json")


@needs_redis_server
def test_it_keeps_the_intake_open_when_the_cache_goes_down(recovery_key, limits, clock, caplog):
    caplog.set_level(logging.INFO, logger="tips.throttle")
    port = free_port()
    limits.CACHES = redis_cache(port)
    address = fresh_address()
    client = Client(REMOTE_ADDR=address)
    with private_redis(port) as direct:
        first = submit(client)
        assert first.status_code == 201
        assert counters(direct, "submit") == [1]
    # running() has stopped the server and waited for it: the port refuses connections now.
    receipt = first.json()["receipt"]

    assert submit(client).status_code == 201
    assert client.post("/tip/", form_tip()).status_code == 201
    follow_up = client.post("/api/v1/follow-up/", {"receipt": receipt}, "application/json")
    assert follow_up.status_code == 200
    assert client.post("/follow-up/", {"receipt": receipt}).status_code == 200
    # This process's own windows: the third submission of the outage is the last allowed.
    assert submit(client).status_code == 201
    assert submit(client).status_code == 429
    assert client.post("/tip/", form_tip()).status_code == 429
    assert client.post("/follow-up/", {"receipt": receipt}).status_code == 429
    records = throttle_records(caplog)
    assert [record.levelname for record in records] == ["WARNING"]
    message = records[0].getMessage()
    assert "ConnectionError" in message
    assert address not in message
    assert "127.0.0.1" not in message
    assert str(port) not in message


@needs_redis_server
def test_it_goes_back_to_the_cache_when_it_answers_again(limits, clock, caplog):
    caplog.set_level(logging.INFO, logger="tips.throttle")
    port = free_port()
    limits.CACHES = redis_cache(port)
    request = RequestFactory().post("/tip/", REMOTE_ADDR=fresh_address())
    assert throttle.hit(request, throttle.SUBMISSIONS)  # nothing listens on the port yet

    with private_redis(port) as direct:
        assert throttle.hit(request, throttle.SUBMISSIONS)
        assert counters(direct, "submit") == []  # within the back-off the cache is not asked
        clock.advance(limits.CACHE_RETRY_SECONDS)
        assert throttle.hit(request, throttle.SUBMISSIONS)
        assert counters(direct, "submit") == [1]

    assert [record.levelname for record in throttle_records(caplog)] == ["WARNING", "INFO"]


def timed(send: Callable[[], HttpResponse]) -> tuple[HttpResponse, float]:
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def test_it_does_not_hang_on_a_cache_that_never_answers(recovery_key, limits, clock, caplog):
    caplog.set_level(logging.INFO, logger="tips.throttle")
    # Listening but never accept()ed: the kernel completes each connection and nothing ever
    # answers, as with a Redis stopped by SIGSTOP or a wedged host.
    with socket.create_server(("127.0.0.1", 0), backlog=16) as frozen:
        limits.CACHES = redis_cache(frozen.getsockname()[1])
        client = Client(REMOTE_ADDR=fresh_address())
        first = timed(lambda: submit(client))  # the request that pays the socket timeout
        receipt = first[0].json()["receipt"]
        results = [
            first,
            timed(lambda: client.post("/tip/", form_tip())),
            timed(lambda: client.post("/follow-up/", {"receipt": receipt})),
        ]
        clock.advance(limits.CACHE_RETRY_SECONDS)  # the next request probes the frozen cache
        results.append(timed(lambda: client.post("/follow-up/", {"receipt": receipt})))

    assert [response.status_code for response, _ in results] == [201, 201, 200, 200]
    assert all(elapsed < HANG_BOUND for _, elapsed in results), results
    records = throttle_records(caplog)
    assert [record.levelname for record in records] == ["WARNING"]
    assert "TimeoutError" in records[0].getMessage()


def settings_in_child(project_python: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings; from django.core.cache import cache\n"
        # The pool Django 6.1's RedisCache builds: proof that OPTIONS reach redis-py.
        "pool = cache._cache.get_client(write=True).connection_pool\n"
        "print(json.dumps([settings.CACHES['default']['OPTIONS'], pool.connection_kwargs]"
        ", default=str))\n"
    )
    # check=False: the caller asserts on the exit status, including a refusal to start.
    return subprocess.run(
        [project_python, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_gives_the_redis_cache_short_timeouts_from_the_environment(
    project_python, subprocess_env
):
    subprocess_env.update(CACHE_URL="redis://127.0.0.1:9/1", CACHE_TIMEOUT_SECONDS="0.25")

    child = settings_in_child(project_python, subprocess_env)

    assert child.returncode == 0, child.stderr
    options, pool = json.loads(child.stdout)
    assert options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    assert pool["socket_connect_timeout"] == pool["socket_timeout"] == 0.25


def test_it_refuses_to_start_with_a_cache_timeout_that_is_not_seconds(
    project_python, subprocess_env
):
    subprocess_env.update(CACHE_URL="redis://127.0.0.1:9/1", CACHE_TIMEOUT_SECONDS="soon")

    child = settings_in_child(project_python, subprocess_env)

    assert child.returncode != 0
    assert "CACHE_TIMEOUT_SECONDS must be a number of seconds" in child.stderr
