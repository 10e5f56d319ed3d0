"""How an audit entry becomes bytes, and how entries are linked into a chain.

The canonical form is JSON with sorted keys, no whitespace, UTF-8 (`ensure_ascii=False`) and no
NaN/Infinity: the same value always gives the same bytes. Those exact bytes are stored with the
entry and hashed; a verifier hashes what is stored, never a re-serialisation (which a database's
JSON type could normalise differently).

    leaf_i  = SHA-256(0x00 || canon_i)            (the RFC 6962 leaf hash)
    chain_i = SHA-256(chain_{i-1} || leaf_i)      with chain_0 = 32 zero bytes
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from audit.merkle import leaf_hash

FORMAT_VERSION = 1
ZERO_HASH = bytes(32)
MAX_DETAILS_BYTES = 2048
MAX_DEPTH = 6
REDACTED = "[redacted]"

# Any key whose name contains one of these is replaced, at any depth: a caller passing
# `token=...` by mistake must not leave a credential in a log that is kept forever.
_SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|key|receipt|otp|credential|seed|cookie|authorization",
    re.IGNORECASE,
)

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


class DetailsError(ValueError):
    """Details that cannot go into the audit log (not JSON, too large, NUL characters)."""


def canonical(value: object) -> bytes:
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise DetailsError(f"not canonical JSON: {exc}") from None


def format_time(moment: dt.datetime) -> str:
    """UTC, microseconds, fixed width: sorts as text and parses everywhere."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _clean(value: object, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise DetailsError("details are nested too deeply")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DetailsError("details may not contain NaN or infinity")
        return value
    if isinstance(value, str):
        # PostgreSQL's jsonb cannot hold U+0000, and no legitimate detail needs it.
        if "\x00" in value:
            raise DetailsError("details may not contain NUL characters")
        return value
    if isinstance(value, list | tuple):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, Mapping):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise DetailsError(f"detail keys must be strings, not {type(key).__name__}")
            if "\x00" in key:
                raise DetailsError("details may not contain NUL characters")
            cleaned[key] = REDACTED if is_secret_name(key) else _clean(item, depth + 1)
        return cleaned
    raise DetailsError(
        f"{type(value).__name__} is not JSON; pass ids and codes as str or int, never objects"
    )


def clean_details(details: Mapping[str, object]) -> dict[str, Any]:
    """Redacted, validated details, or DetailsError. Never tip content: callers pass ids only."""
    cleaned: dict[str, Any] = _clean(details, 0)
    size = len(canonical(cleaned))
    if size > MAX_DETAILS_BYTES:
        raise DetailsError(f"details are {size} bytes; the limit is {MAX_DETAILS_BYTES}")
    return cleaned


def encode_entry(
    *,
    seq: int,
    at: str,
    actor: str,
    action: int,
    target: tuple[str, str] | None,
    details: Mapping[str, Any],
) -> bytes:
    return canonical(
        {
            "v": FORMAT_VERSION,
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "target": list(target) if target else None,
            "details": details,
        }
    )


def chain_hash(prev: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(prev + leaf).digest()


def entry_hashes(prev: bytes, canon: bytes) -> tuple[bytes, bytes]:
    """(leaf, chain) of an entry appended after a chain value `prev`."""
    leaf = leaf_hash(canon)
    return leaf, chain_hash(prev, leaf)
