"""The per-process fallback of the rate limits and the breaker in front of the cache."""

from __future__ import annotations

import logging
import threading

import pytest
import redis.exceptions
import time_machine
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory

from tests.servers import free_port
from tests.tips.throttling import fresh_address, redis_cache
from tips import throttle

BACKOFF = 20  # CACHE_RETRY_SECONDS in portal/settings.py, set explicitly by `limits`


@pytest.fixture
def limits(settings):
    """Only the submission limit, in a window and a retry interval of this module's own."""
    settings.TIP_RATE_SUBMISSIONS = 3
    settings.TIP_RATE_WINDOW = 60
    settings.CACHE_RETRY_SECONDS = BACKOFF
    return settings


class BuggyCache(LocMemCache):
    """A cache whose client code has a bug, as opposed to a cache that is down."""

    def add(self, *args: object, **kwargs: object) -> bool:
        raise TypeError("a bug of ours")


def test_it_counts_a_fixed_window_and_starts_again_in_the_next(limits):
    limiter = throttle.LocalLimiter()

    counts = [limiter.count("submit", "192.0.2.7", 500) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert limiter.count("submit", "192.0.2.7", 501) == 1


def test_it_counts_each_client_and_scope_apart(limits):
    limiter = throttle.LocalLimiter()
    limiter.count("submit", "192.0.2.7", 500)

    assert limiter.count("submit", "192.0.2.8", 500) == 1
    assert limiter.count("follow-up", "192.0.2.7", 500) == 1
    assert limiter.count("submit", "192.0.2.7", 500) == 2


def test_it_drops_the_windows_that_ended(limits):
    limiter = throttle.LocalLimiter()
    for client in range(200):
        limiter.count("submit", f"192.0.2.{client}", 500)

    limiter.count("submit", "198.51.100.1", 501)

    assert limiter.held() == 1


def test_it_holds_no_address(limits):
    limiter = throttle.LocalLimiter()

    limiter.count("submit", "192.0.2.7", 500)

    assert b"192.0.2.7" not in b"".join(b"".join(counts) for _, counts in limiter._windows.values())


def test_it_lets_new_clients_through_uncounted_when_full(limits):
    limiter = throttle.LocalLimiter(max_clients=2)
    limiter.count("submit", "192.0.2.1", 500)
    limiter.count("submit", "192.0.2.2", 500)

    assert limiter.count("submit", "192.0.2.3", 500) == 0
    assert limiter.count("submit", "192.0.2.1", 500) == 2
    assert limiter.held() == 2


def test_it_counts_every_request_of_concurrent_threads(limits):
    limiter = throttle.LocalLimiter()

    def count_many() -> None:
        for _ in range(500):
            limiter.count("submit", "192.0.2.7", 500)

    threads = [threading.Thread(target=count_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert limiter.count("submit", "192.0.2.7", 500) == 8 * 500 + 1


def test_it_skips_the_cache_for_the_back_off_then_lets_one_request_try(limits, clock):
    breaker = throttle._breaker
    breaker.failed(redis.exceptions.TimeoutError("Timeout reading from 10.0.0.5:6379"))

    assert not breaker.should_try()
    clock.advance(BACKOFF - 1)
    assert not breaker.should_try()
    clock.advance(1)
    assert breaker.should_try()  # the probe
    assert not breaker.should_try()  # everyone else waits for the probe's answer
    breaker.failed(redis.exceptions.TimeoutError("again"))
    clock.advance(BACKOFF)
    assert breaker.should_try()
    breaker.succeeded()
    assert breaker.should_try()
    assert not breaker.down


def test_it_logs_one_warning_per_outage_and_one_line_when_it_ends(limits, clock, caplog):
    caplog.set_level(logging.INFO, logger="tips.throttle")
    breaker = throttle._breaker
    for _ in range(2):
        for _ in range(3):
            breaker.failed(redis.exceptions.ConnectionError("Error 111 connecting to 10.0.0.5"))
        breaker.succeeded()
        breaker.succeeded()

    records = [record for record in caplog.records if record.name == "tips.throttle"]
    assert [record.levelname for record in records] == ["WARNING", "INFO", "WARNING", "INFO"]
    assert all("10.0.0.5" not in record.getMessage() for record in records)
    assert "ConnectionError" in records[0].getMessage()


def test_it_rolls_the_fallback_window_over_with_the_clock(limits, clock):
    limits.CACHES = redis_cache(free_port())  # nothing listens there: connection refused
    request = RequestFactory().post("/tip/", REMOTE_ADDR=fresh_address())

    with time_machine.travel(6_000, tick=False) as traveller:  # the start of a 60 s window
        allowed = [throttle.hit(request, throttle.SUBMISSIONS) for _ in range(4)]
        traveller.shift(59)
        still_refused = throttle.hit(request, throttle.SUBMISSIONS)
        traveller.shift(1)
        next_window = throttle.hit(request, throttle.SUBMISSIONS)

    assert allowed == [True, True, True, False]
    assert still_refused is False
    assert next_window is True
    assert throttle._breaker.down


def test_it_does_not_mistake_a_bug_for_an_outage(limits, clock):
    limits.CACHES = {"default": {"BACKEND": f"{__name__}.BuggyCache"}}
    request = RequestFactory().post("/tip/", REMOTE_ADDR=fresh_address())

    with pytest.raises(TypeError):
        throttle.hit(request, throttle.SUBMISSIONS)
    assert not throttle._breaker.down
