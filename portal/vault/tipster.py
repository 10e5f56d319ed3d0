"""Tipster receipts, the lookup value and the tipster's keypair, all from one code.

The receipt is 20 symbols of Crockford's base32 (digits and letters without I, L, O, U: exactly
5 bits each, 100 bits in all), shown as `XXXXX-XXXXX-XXXXX-XXXXX`. Typing is forgiving: case,
spaces and dashes do not matter, and the letters people confuse with digits map to them (O→0,
I/L→1), so a code read off paper or a phone still works. It is shown once and never stored.

From the normalised code and the server's `VAULT_RECEIPT_KEY` (never in the database):
- `receipt_lookup(receipt)`: HMAC-SHA256, 32 bytes, stored on the tip with a unique index; the
  follow-up page finds the tip by equality on it.
- `tipster_keypair(receipt)`: HKDF-SHA256 → a 32-byte seed → the hybrid keypair (portal.vault.keys
  derives ML-KEM-768 and X25519 deterministically from it). The public key is stored with the tip
  so investigators' replies can be wrapped to it; the private key exists only while the tipster's
  request runs.

No slow KDF: with 100 bits of entropy a guess costs 2^99 HMACs on average whatever the
per-guess cost, so Argon2 would only slow every submission (see docs/decisions.md). Both
derivations take the same time for every input, and the database sees only a pseudorandom
32-byte value, so nothing about a wrong code leaks through timing.
"""

from __future__ import annotations

import hmac
import re
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from portal.vault.errors import InvalidReceipt
from portal.vault.keys import SEED_BYTES, PrivateKey, context

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
RECEIPT_SYMBOLS = 20
GROUP = 5
RECEIPT_BITS = RECEIPT_SYMBOLS * 5
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_VALID = re.compile(f"^[{ALPHABET}]{{{RECEIPT_SYMBOLS}}}$")


def receipt_pattern() -> str:
    """A regular expression for what `normalize_receipt` accepts: the 20 symbols in either
    case, the letters it reads as digits (O, I, L), separators anywhere."""
    symbol = "[0-9A-TV-Za-tv-z]"  # the alphabet, its lower case, and O, I, L; never U
    separator = r"[\s._-]"
    return rf"^{separator}*(?:{symbol}{separator}*){{{RECEIPT_SYMBOLS}}}$"


def new_receipt() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_SYMBOLS))
    return format_receipt(code)


def format_receipt(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


@sensitive_variables()
def normalize_receipt(text: str) -> str:
    """The canonical 20 symbols (no dashes), or InvalidReceipt."""
    compact = _SEPARATORS.sub("", text).upper().translate(_CONFUSIONS)
    if not _VALID.match(compact):
        raise InvalidReceipt(
            "A receipt code has 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX."
        )
    return compact


@lru_cache(maxsize=4)
def _subkeys(receipt_key: str) -> tuple[bytes, bytes]:
    # Domain separation: one server secret, two unrelated keys.
    def derive(purpose: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=context("receipt", purpose)
        ).derive(receipt_key.encode())

    return derive("lookup"), derive("tipster-keypair")


@sensitive_variables()
def receipt_lookup(receipt: str) -> bytes:
    """32 bytes that find the tip, useless for recovering the code or its keys."""
    lookup_key, _ = _subkeys(settings.VAULT_RECEIPT_KEY)
    return hmac.digest(lookup_key, normalize_receipt(receipt).encode(), "sha256")


@sensitive_variables()
def tipster_keypair(receipt: str) -> PrivateKey:
    """The tipster's private key (its `.public_bytes()` is what the tip stores)."""
    _, seed_key = _subkeys(settings.VAULT_RECEIPT_KEY)
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=SEED_BYTES,
        salt=seed_key,
        info=context("tipster-key"),
    ).derive(normalize_receipt(receipt).encode())
    return PrivateKey(seed)
