"""Tip fixtures: a reader with the triage desk's view of what tipsters sent, low rate limits, and
the breaker's clock moved by hand. Request bodies are in `tests.tips.payloads`."""

from __future__ import annotations

import pytest

from portal import vault
from tips import throttle


@pytest.fixture
def desk_reader(recovery_key) -> vault.RecoveryKeyring:
    """Reads like a triage desk member (through the recovery key, no session needed)."""
    return vault.RecoveryKeyring(recovery_key)


@pytest.fixture
def limits(settings):
    """Limits low enough to reach in a test: three tips and two follow-ups per window."""
    settings.TIP_RATE_SUBMISSIONS = 3
    settings.TIP_RATE_FOLLOW_UPS = 2
    return settings


class Clock:
    """The breaker's monotonic clock, moved by hand (time-machine leaves time.monotonic alone)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh breaker and fallback limiter: this process's outage state must not leak."""
    clock = Clock()
    monkeypatch.setattr(throttle, "_breaker", throttle.CacheBreaker(clock))
    monkeypatch.setattr(throttle, "_local", throttle.LocalLimiter())
    return clock
