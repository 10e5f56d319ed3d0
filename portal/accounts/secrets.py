"""Second-factor secrets at rest.

TOTP seeds are stored encrypted (AES-256-GCM under `OTP_SEED_KEY`, a server secret kept out of
the database, with the device id as associated data so a seed cannot be moved to another
account). Backup codes and API token secrets carry >= 80 bits of entropy and are stored only as
HMAC-SHA256 under `OTP_HASH_KEY`: with that much entropy a slow hash adds nothing, and the key
makes an offline guess impossible even for someone who has the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_BASE32 = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud and typed by hand


def _key(setting: str, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + getattr(settings, setting).encode()).digest()


def encrypt_seed(seed: bytes, *, device_id: int) -> bytes:
    nonce = os.urandom(12)
    aad = b"totp-seed:%d" % device_id
    return (
        b"\x01" + nonce + AESGCM(_key("OTP_SEED_KEY", b"totp-seed/v1:")).encrypt(nonce, seed, aad)
    )


def decrypt_seed(blob: bytes, *, device_id: int) -> bytes:
    if blob[:1] != b"\x01":
        raise ValueError("unknown seed format")
    aad = b"totp-seed:%d" % device_id
    return AESGCM(_key("OTP_SEED_KEY", b"totp-seed/v1:")).decrypt(blob[1:13], blob[13:], aad)


def keyed_hash(value: str) -> str:
    digest = hmac.new(_key("OTP_HASH_KEY", b"lookup/v1:"), value.encode(), hashlib.sha256)
    return digest.hexdigest()


CODE_LENGTH = 18  # 18 symbols of 30: 88 bits


def random_code(length: int = CODE_LENGTH) -> str:
    """A code people can type: grouped by six, no look-alike characters."""
    raw = "".join(secrets.choice(_BASE32) for _ in range(length))
    return "-".join(raw[i : i + 6] for i in range(0, length, 6))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def otpauth_seed(seed: bytes) -> str:
    return base64.b32encode(seed).decode().rstrip("=")
