"""Hybrid post-quantum key pairs and HPKE key wrapping.

Every key pair in the vault (desks, staff, tipsters, recovery) is an HPKE key pair for the KEM
`MLKEM768_X25519`: ML-KEM-768 for "harvest now, decrypt later", X25519 so that a flaw in the young
lattice scheme alone breaks nothing. A private key is stored and wrapped as a 32-byte seed,
expanded with HKDF-SHA256 into the ML-KEM-768 seed (64 bytes) and the X25519 scalar (32 bytes),
the same shape as X-Wing's seed expansion. Small seeds keep wraps short and let the recovery key
be written down (56 characters).

Wrapping (`wrap`/`unwrap`) is single-shot HPKE base mode (RFC 9180) with the suite
MLKEM768_X25519 / HKDF_SHA256 / AES_256_GCM; `info` names the purpose, the desk and key version,
and the record or user, so a wrap moved to another row, desk or version fails to open.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from portal.vault.errors import DecryptionFailed, VaultError, WrongRecoveryKey

SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
SEED_BYTES = 32
PUBLIC_KEY_FORMAT = 1  # first byte of a serialized public key
WRAP_FORMAT = 1  # first byte of a wrapped key: the suite above
_MLKEM768_PUBLIC_BYTES = 1184
_X25519_BYTES = 32
PUBLIC_KEY_BYTES = 1 + _MLKEM768_PUBLIC_BYTES + _X25519_BYTES
INFO_PREFIX = "tip-portal/v1"
# Components of an `info` or associated-data string: "/" separates them, so it is never inside one.
_COMPONENT = re.compile(r"^[A-Za-z0-9_.:@+=,-]{1,100}$")


def context(*parts: str | int) -> bytes:
    """`tip-portal/v1/<part>/<part>/...`, refusing parts that could blur the boundaries."""
    texts = [str(part) for part in parts]
    for text in texts:
        if not _COMPONENT.match(text):
            raise ValueError(f"not a valid key-context component: {text[:40]!r}")
    return "/".join([INFO_PREFIX, *texts]).encode()


class PrivateKey:
    """A hybrid HPKE private key, held as its seed. Never printed, pickled or logged.

    The ML-KEM and X25519 keys are expanded from the seed on first use (about 0.1 ms): a
    session's personal key that a request never uses costs nothing.
    """

    __slots__ = ("_hpke_key", "_public", "_seed")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError("a private key seed is 32 bytes")
        self._seed = bytes(seed)
        self._hpke_key: hpke.MLKEM768X25519PrivateKey | None = None
        self._public = b""

    def _expand(self) -> hpke.MLKEM768X25519PrivateKey:
        if self._hpke_key is None:
            expanded = HKDF(
                algorithm=hashes.SHA256(), length=96, salt=None, info=context("hybrid-keypair")
            ).derive(self._seed)
            mlkem_key = mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64])
            x25519_key = x25519.X25519PrivateKey.from_private_bytes(expanded[64:])
            self._public = (
                bytes([PUBLIC_KEY_FORMAT])
                + mlkem_key.public_key().public_bytes_raw()
                + x25519_key.public_key().public_bytes_raw()
            )
            self._hpke_key = hpke.MLKEM768X25519PrivateKey(mlkem_key, x25519_key)
        return self._hpke_key

    @classmethod
    def generate(cls) -> PrivateKey:
        return cls(os.urandom(SEED_BYTES))

    def public_bytes(self) -> bytes:
        self._expand()
        return self._public

    def private_bytes(self) -> bytes:
        """The seed, for wrapping under another key. Handle with care."""
        return self._seed

    def fingerprint(self) -> str:
        return fingerprint(self._public)

    def __repr__(self) -> str:
        return f"<PrivateKey of public key {self.fingerprint()}>"

    def __reduce__(self) -> NoReturn:
        # A key must never end up in a cache, a task message or a pickled session by accident.
        raise TypeError("vault keys cannot be pickled")


def fingerprint(public_key: bytes) -> str:
    """A short, non-secret name for a public key (first 8 bytes of its SHA-256, hex)."""
    return hashlib.sha256(bytes(public_key)).hexdigest()[:16]


@functools.lru_cache(maxsize=256)
def _load_public_key(public_key: bytes) -> hpke.MLKEM768X25519PublicKey:
    # Cached: the triage desk's key is parsed once per process, not once per submission.
    if len(public_key) != PUBLIC_KEY_BYTES or public_key[0] != PUBLIC_KEY_FORMAT:
        raise VaultError("not a vault public key")
    split = 1 + _MLKEM768_PUBLIC_BYTES
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(public_key[1:split]),
        x25519.X25519PublicKey.from_public_bytes(public_key[split:]),
    )


def wrap(secret: bytes, public_key: bytes, info: bytes) -> bytes:
    """Encrypt a small secret (a data key or a private-key seed) to a public key."""
    return bytes([WRAP_FORMAT]) + SUITE.encrypt(
        bytes(secret), _load_public_key(bytes(public_key)), info=info
    )


def unwrap(wrapped: bytes | memoryview, private_key: PrivateKey, info: bytes) -> bytes:
    """Open a wrap. Any failure (wrong key, wrong info, tampering) raises DecryptionFailed."""
    wrapped = bytes(wrapped)
    if not wrapped or wrapped[0] != WRAP_FORMAT:
        raise DecryptionFailed("unknown wrapped-key format")
    try:
        return SUITE.decrypt(wrapped[1:], private_key._expand(), info=info)
    except (InvalidTag, ValueError):
        raise DecryptionFailed("the wrapped key does not open with this key and context") from None


# --- The recovery key as text ------------------------------------------------------------------

RECOVERY_PREFIX = "TPRK1"
_RECOVERY_CHECK_BYTES = 3


def format_recovery_key(key: PrivateKey) -> str:
    """`TPRK1-XXXXXXXX-...`: base32 of the seed plus a 24-bit checksum that catches typos."""
    seed = key.private_bytes()
    payload = seed + hashlib.sha256(seed).digest()[:_RECOVERY_CHECK_BYTES]
    text = base64.b32encode(payload).decode().rstrip("=")
    return "-".join([RECOVERY_PREFIX, *(text[i : i + 8] for i in range(0, len(text), 8))])


def parse_recovery_key(text: str) -> PrivateKey:
    compact = re.sub(r"[\s-]", "", text).upper()
    if not compact.startswith(RECOVERY_PREFIX):
        raise WrongRecoveryKey("This is not a Tip Portal recovery key (it starts with TPRK1).")
    body = compact.removeprefix(RECOVERY_PREFIX)
    try:
        payload = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise WrongRecoveryKey("The recovery key has a character that cannot be in it.") from None
    seed, check = payload[:SEED_BYTES], payload[SEED_BYTES:]
    if len(seed) != SEED_BYTES or not hmac.compare_digest(
        check, hashlib.sha256(seed).digest()[:_RECOVERY_CHECK_BYTES]
    ):
        raise WrongRecoveryKey("The recovery key is mistyped or incomplete (checksum mismatch).")
    return PrivateKey(seed)
