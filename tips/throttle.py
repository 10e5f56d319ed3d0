"""Rate limits for anonymous visitors that never store an address.

A client is counted under `HMAC(window salt, server key, address)`: the salt is random, lives only
in the cache and expires two windows after it is drawn, and the server key comes from settings
(never the cache). So:
- the database, logs and backups hold nothing about who sent a tip;
- a copy of the cache alone cannot be brute-forced back to addresses (it lacks the server key),
  and once a window's salt has expired even the server cannot say which counter was whose;
- counters are fixed windows (`TIP_RATE_WINDOW` seconds), counted before the work is done, so a
  flood from one client gets 429s cheaply and cannot crowd out everyone else.

DRF's stock anonymous throttle keys on the raw address in the cache; it is never used here.
Tor users share exit addresses, so the limits are generous (docs/decisions.md).

The intake must not go down with the cache. When the cache cannot be reached or does not answer,
the same fixed windows are counted in this process instead (`LocalLimiter`, same keyed hash under
a salt held in memory), and `CacheBreaker` skips the cache for `CACHE_RETRY_SECONDS` so that an
outage costs one timeout per back-off rather than one per request. During an outage a limit is
therefore per worker process (docs/decisions.md, "Rate limits when the cache is down").
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import redis.exceptions
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger(__name__)

# The cache's own failures: these fall back to counting in the process. Anything else (a
# TypeError, a WRONGTYPE reply) is a bug and must still surface as a 500 with a traceback.
CACHE_ERRORS: tuple[type[Exception], ...] = (
    OSError,  # sockets, from any backend (the builtin ConnectionError and TimeoutError included)
    redis.exceptions.ConnectionError,  # refused, reset, DNS; also BusyLoadingError after a restart
    redis.exceptions.TimeoutError,  # a frozen server, once CACHE_TIMEOUT_SECONDS have passed
    redis.exceptions.ReadOnlyError,  # writing to a replica in the middle of a failover
    redis.exceptions.OutOfMemoryError,  # maxmemory reached under a noeviction policy
)

# Counters the fallback may hold at once. A flood from ever-new addresses (IPv6 makes that
# cheap) must not grow a worker without bound; past this, new clients are let through uncounted,
# which is what the intake would do with no limiter at all, while known clients stay counted.
MAX_LOCAL_CLIENTS = 50_000


@dataclass(frozen=True)
class Limit:
    scope: str
    setting: str  # the settings name holding how many requests a window allows

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.setting))


SUBMISSIONS = Limit("submit", "TIP_RATE_SUBMISSIONS")
FOLLOW_UPS = Limit("follow-up", "TIP_RATE_FOLLOW_UPS")


@lru_cache(maxsize=2)
def _server_key(secret_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tip-portal/rate-limit"
    ).derive(secret_key.encode())


def _digest(salt: bytes, scope: str, address: str) -> bytes:
    return hmac.digest(
        _server_key(settings.SECRET_KEY),
        salt + scope.encode() + b"\0" + address.encode(),
        "sha256",
    )[:16]


def client_address(request: HttpRequest) -> str:
    """The address to count under; held only for the length of this request."""
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        # A trusted proxy appends the real client last; anything before it is client-supplied.
        forwarded = request.META.get(header, "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")


def _window() -> int:
    return int(time.time()) // settings.TIP_RATE_WINDOW


def _salt(window: int) -> bytes:
    name = f"ratelimit:salt:{window}"
    fresh = secrets.token_bytes(16)
    # add() is atomic: concurrent first requests of a window agree on one salt.
    cache.add(name, fresh, timeout=2 * settings.TIP_RATE_WINDOW)
    return cache.get(name) or fresh


def client_key(request: HttpRequest, scope: str, window: int) -> str:
    digest = _digest(_salt(window), scope, client_address(request))
    return f"ratelimit:{scope}:{window}:{digest.hex()}"


def _count_in_cache(request: HttpRequest, scope: str, window: int) -> int:
    key = client_key(request, scope, window)
    cache.add(key, 0, timeout=settings.TIP_RATE_WINDOW + 5)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr: count this as the first
        cache.set(key, 1, timeout=settings.TIP_RATE_WINDOW + 5)
        return 1


class LocalLimiter:
    """Fixed-window counters in this process, used while the shared cache is unavailable.

    The same scheme as the cache: a client is a keyed hash of scope and address under a random
    salt drawn per window, so no address is held beyond the request. A window's salt and counters
    are dropped as soon as a later window is counted, which bounds memory to the clients of about
    one window and unlinks them once it has ended. One lock: threaded workers share the instance.
    """

    def __init__(self, max_clients: int = MAX_LOCAL_CLIENTS) -> None:
        self._lock = threading.Lock()
        self._max_clients = max_clients
        self._windows: dict[int, tuple[bytes, dict[bytes, int]]] = {}

    def count(self, scope: str, address: str, window: int) -> int:
        """Count one request and return the client's count in `window`, 0 if not counted."""
        with self._lock:
            for ended in [held for held in self._windows if held < window]:
                del self._windows[ended]
            if window not in self._windows:
                self._windows[window] = (secrets.token_bytes(16), {})
            salt, counts = self._windows[window]
            digest = _digest(salt, scope, address)
            if digest not in counts and self.held() >= self._max_clients:
                return 0
            counts[digest] = counts.get(digest, 0) + 1
            return counts[digest]

    def held(self) -> int:
        """How many counters are held (the measure of this limiter's memory)."""
        return sum(len(counts) for _salt, counts in self._windows.values())


class CacheBreaker:
    """After a cache failure, skip the cache for a back-off, then let one request try it again.

    Without it a frozen cache would cost every request its socket timeout. It logs one warning
    per outage and one info line when the cache answers again, naming only the exception's
    class: redis-py's messages name the cache's host and port.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    @staticmethod
    def _backoff() -> float:
        return float(settings.CACHE_RETRY_SECONDS)

    def should_try(self) -> bool:
        """Whether this request should use the cache."""
        with self._lock:
            if not self._down:
                return True
            now = self._clock()
            if now < self._retry_at:
                return False
            # This request is the probe; the others keep counting locally until it has an answer,
            # so a still-frozen cache costs one timeout per back-off, not one per waiting request.
            self._retry_at = now + self._backoff()
            return True

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._retry_at = self._clock() + self._backoff()
        if first:
            log.warning(
                "Rate-limit cache unavailable (%s): counting limits in this process and "
                "trying the cache again every %g s",
                type(exc).__name__,
                self._backoff(),
            )

    def succeeded(self) -> None:
        if not self._down:  # the common case: no lock on the path of every request
            return
        with self._lock:
            recovered, self._down = self._down, False
        if recovered:
            log.info("Rate-limit cache answers again: limits are shared across processes again")

    @property
    def down(self) -> bool:
        return self._down


_breaker = CacheBreaker()
_local = LocalLimiter()


def hit(request: HttpRequest, limit: Limit) -> bool:
    """Count one request; False when this client is over the limit for the current window."""
    if limit.allowed <= 0:
        return True  # 0 turns a limit off (load tests, a deployment behind its own limiter)
    window = _window()
    if _breaker.should_try():
        try:
            count = _count_in_cache(request, limit.scope, window)
        except CACHE_ERRORS as exc:
            _breaker.failed(exc)
        else:
            _breaker.succeeded()
            return count <= limit.allowed
    return _local.count(limit.scope, client_address(request), window) <= limit.allowed
