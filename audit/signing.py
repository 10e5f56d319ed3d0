"""C2SP signed notes with Ed25519 (https://c2sp.org/signed-note), and the audit signing key.

A signed note is its text (ending in a newline), a blank line, then one line per signature:

    — <key name> base64(key ID || Ed25519 signature over the text)

    key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]

Verifier keys are written the way Go's golang.org/x/mod/sumdb/note and the transparency-dev
tools read them: `<name>+<key ID in hex>+base64(0x01 || public key)`.

The signing key comes from the `AUDIT_SIGNING_KEY` secret: when it is the base64 (standard or
URL-safe) of exactly 32 bytes those bytes are the Ed25519 seed; any other string is hashed,
seed = SHA-256("tip-portal audit signing key\\n" || secret). `manage.py audit_checkpoint
--generate-key` prints a fresh random key in the first form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ED25519 = 0x01
SIGNATURE_PREFIX = "— "  # em dash, space
MIN_SECRET_LENGTH = 32
_SEED_DOMAIN = b"tip-portal audit signing key\n"
_KEY_B64 = re.compile(r"[A-Za-z0-9+/\-_]{43}=?")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A note that is malformed, or not signed by a trusted key."""


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, text)
        except InvalidSignature:
            return False
        return True

    @property
    def vkey(self) -> str:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        encoded = base64.b64encode(bytes([ED25519]) + raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return Verifier(self.name, key_id(self.name, raw), public)


def check_key_name(name: str) -> str:
    if not name or any(ch.isspace() for ch in name) or "+" in name or _CONTROL.search(name):
        raise ImproperlyConfigured(
            f"{name!r} cannot name a signed-note key: it must be non-empty, without spaces or '+'"
        )
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def parse_verifier_key(vkey: str) -> Verifier:
    """`name+hexid+base64(0x01||key)` as printed by `audit_checkpoint --show-key`."""
    try:
        name, hex_id, encoded = vkey.strip().split("+", 2)
        check_key_name(name)
        raw = base64.b64decode(encoded, validate=True)
        wanted_id = bytes.fromhex(hex_id)
    except (ValueError, binascii.Error, ImproperlyConfigured):
        raise NoteError(f"not a verifier key: {vkey!r}") from None
    if len(raw) != 33 or raw[0] != ED25519 or len(wanted_id) != 4:
        raise NoteError(f"not an Ed25519 verifier key: {vkey!r}")
    if key_id(name, raw[1:]) != wanted_id:
        raise NoteError(f"the key ID of {vkey!r} does not match its key")
    return Verifier(name, wanted_id, Ed25519PublicKey.from_public_bytes(raw[1:]))


def seed_from_secret(secret: str) -> bytes:
    text = secret.strip()
    if len(text) < MIN_SECRET_LENGTH:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY must be at least {MIN_SECRET_LENGTH} characters of random data"
        )
    if _KEY_B64.fullmatch(text):
        standard = text.replace("-", "+").replace("_", "/").rstrip("=") + "="
        raw = base64.b64decode(standard, validate=True)
        if len(raw) == 32:
            return raw
    return hashlib.sha256(_SEED_DOMAIN + text.encode()).digest()


def generate_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@cache
def _signer(secret: str, name: str) -> Signer:
    seed = seed_from_secret(secret)
    return Signer(check_key_name(name), Ed25519PrivateKey.from_private_bytes(seed))


def audit_signer() -> Signer:
    """The configured key, named after the log's origin (C2SP: the key name matches it)."""
    return _signer(settings.AUDIT_SIGNING_KEY, settings.AUDIT_CHECKPOINT_ORIGIN)


def trusted_verifiers() -> list[Verifier]:
    """The current key, and earlier keys kept in AUDIT_VERIFIER_KEYS after a rotation."""
    keys = [audit_signer().verifier]
    keys.extend(parse_verifier_key(vkey) for vkey in settings.AUDIT_VERIFIER_KEYS)
    return keys


def sign_note(text: str, signer: Signer) -> str:
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text):
        raise NoteError("note text must be non-empty lines ending in a newline")
    signature = signer.private_key.sign(text.encode())
    encoded = base64.b64encode(signer.verifier.key_id + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def open_note(note: str, verifiers: list[Verifier]) -> str:
    """The text of a note signed by at least one trusted key; NoteError otherwise.

    As the spec requires: signatures by unknown keys are ignored, and a signature by a known key
    that fails to verify rejects the whole note.
    """
    if not note.endswith("\n") or _CONTROL.search(note):
        raise NoteError("a signed note ends in a newline and has no control characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, signature_lines = note[: split + 1], note[split + 2 :].splitlines()
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for line in signature_lines:
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        if not line.startswith(SIGNATURE_PREFIX) or not name or not encoded:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteError(f"malformed signature line {line!r}") from None
        verifier = known.get((name, blob[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), blob[4:]):
            raise NoteError(f"the signature by {name} does not verify")
        verified = True
    if not verified:
        raise NoteError("the note carries no signature by a trusted key")
    return text
