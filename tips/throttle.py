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
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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
    digest = hmac.digest(
        _server_key(settings.SECRET_KEY),
        _salt(window) + scope.encode() + b"\0" + client_address(request).encode(),
        "sha256",
    )
    return f"ratelimit:{scope}:{window}:{digest[:16].hex()}"


def hit(request: HttpRequest, limit: Limit) -> bool:
    """Count one request; False when this client is over the limit for the current window."""
    if limit.allowed <= 0:
        return True  # 0 turns a limit off (load tests, a deployment behind its own limiter)
    window = _window()
    key = client_key(request, limit.scope, window)
    cache.add(key, 0, timeout=settings.TIP_RATE_WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this as the first
        cache.set(key, 1, timeout=settings.TIP_RATE_WINDOW + 5)
        count = 1
    return count <= limit.allowed
