"""Blind indexes: link tips that share an identifier without storing the identifier.

`blind_index(kind, value)` normalises the value for its kind, then computes
`HMAC-SHA256(k_kind, normalised)[:2]`, where `k_kind = HKDF(VAULT_INDEX_KEY, "blind-index/<kind>")`.
Each kind has its own key, so a phone number and a plate that normalise alike never match.

The index is deliberately short (16 bits, see docs/decisions.md): a value matches about one in
65,536 unrelated entries, so a stolen index (even with the key) points at tens of thousands of
candidate phone numbers per entry instead of one, while a lookup among a million entries returns
about 15 false candidates, which the reader's session discards after decrypting them. Matches
are therefore never proof: "related tips" are index matches confirmed by decryption.

Kinds and their normal forms:
- phone: E.164 via `phonenumbers`, US by default (`+13125550142`);
- email: lower case; Gmail's ignored dots and `+tags` removed, `+tags` removed for providers that
  document sub-addressing;
- handle: without leading `@`, lower case;
- url: host (lower case, without `www.`/`m.`, IDNA) plus path and query, no scheme, fragment or
  tracking parameters; domain: the host alone, except for big platforms where the domain says
  nothing (instagram.com would link every tip mentioning any account there);
- plate: upper-case letters and digits only.
"""

from __future__ import annotations

import hmac
import re
from enum import StrEnum
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

import phonenumbers
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from portal.vault.keys import context

INDEX_BYTES = 2
DEFAULT_REGION = "US"


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    HANDLE = "handle"
    URL = "url"
    DOMAIN = "domain"
    PLATE = "plate"


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    # "Possible" (right length for the country), not "valid": a trafficking ad's number in a
    # range the metadata does not know yet must still link. A local number without its area
    # code ("555-0142") is refused: it would link strangers in different area codes.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_GMAIL = {"gmail.com", "googlemail.com"}
# Providers that document `local+tag@` as the same mailbox; elsewhere "+" may be significant.
_PLUS_ADDRESSING = _GMAIL | {
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "proton.me",
    "protonmail.com",
    "fastmail.com",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str | None:
    text = value.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    text = text.lower()
    if not _EMAIL.match(text):
        return None
    local, domain = text.rsplit("@", 1)
    domain = domain.rstrip(".")
    if domain in _PLUS_ADDRESSING:
        local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else None


_HANDLE = re.compile(r"^[a-z0-9._-]{1,64}$")


def normalize_handle(value: str) -> str | None:
    text = value.strip().lstrip("@").lower()
    return text if _HANDLE.match(text) else None


_HOST_PREFIXES = ("www.", "m.", "mobile.")
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|igshid|igsh|mc_eid|si)$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_PLATFORMS = frozenset(
    {
        "facebook.com", "fb.com", "instagram.com", "twitter.com", "x.com", "tiktok.com",
        "snapchat.com", "youtube.com", "youtu.be", "reddit.com", "linkedin.com", "whatsapp.com",
        "wa.me", "t.me", "telegram.org", "discord.com", "discord.gg", "onlyfans.com",
        "craigslist.org", "google.com", "bit.ly", "linktr.ee", "cash.app", "venmo.com",
    }
)  # fmt: skip


def _split_url(value: str) -> tuple[str, str, str] | None:
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        host = host.encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    if not _HOST.match(host):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return host, parts.path.rstrip("/"), query


def normalize_url(value: str) -> str | None:
    split = _split_url(value)
    if split is None:
        return None
    host, path, query = split
    return host + path + (f"?{query}" if query else "")


def normalize_domain(value: str) -> str | None:
    split = _split_url(value)
    if split is None or split[0] in _PLATFORMS:
        return None
    return split[0]


def normalize_plate(value: str) -> str | None:
    text = re.sub(r"[\s\-.·]", "", value).upper()
    return text if re.fullmatch(r"[A-Z0-9]{2,10}", text) else None


NORMALIZERS = {
    Kind.PHONE: normalize_phone,
    Kind.EMAIL: normalize_email,
    Kind.HANDLE: normalize_handle,
    Kind.URL: normalize_url,
    Kind.DOMAIN: normalize_domain,
    Kind.PLATE: normalize_plate,
}


def normalize(kind: str, value: str) -> str | None:
    return NORMALIZERS[Kind(kind)](value)


@lru_cache(maxsize=16)
def _kind_key(index_key: str, kind: Kind) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=context("blind-index", kind.value)
    ).derive(index_key.encode())


def index_of_normalized(kind: str, normalized: str) -> bytes:
    key = _kind_key(settings.VAULT_INDEX_KEY, Kind(kind))
    return hmac.digest(key, normalized.encode(), "sha256")[:INDEX_BYTES]


def blind_index(kind: str, value: str) -> bytes | None:
    """The truncated keyed hash of the normalised value; None when the value is not one."""
    normalized = normalize(kind, value)
    return None if normalized is None else index_of_normalized(kind, normalized)
