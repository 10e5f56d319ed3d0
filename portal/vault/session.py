"""Session unlock: the personal key between requests, split so no one place can open it.

At sign-in the personal private key is decrypted (Argon2id, once), then sealed with AES-256-GCM
under a fresh random per-session key. The ciphertext goes into the server-side session (the
database); the per-session key goes only to the browser, in its own cookie (`HttpOnly; Secure;
SameSite=Strict`, no Max-Age: gone when the browser closes). A stolen session row alone, or a
stolen cookie alone, opens nothing; logout deletes both halves.

API tokens use the same pair of functions: the token's secret half *is* the sealing key, and only
the sealed blob is stored with the token's row.

The sealed blob's associated data names the user and their current personal public key, so it
cannot be replayed for another account and stops opening when the personal key is replaced.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.debug import sensitive_variables

from portal.vault.errors import Locked
from portal.vault.keys import SEED_BYTES, PrivateKey, context
from portal.vault.models import PersonalKey
from portal.vault.personal import UnlockedKeys

if TYPE_CHECKING:
    from portal.models import User

FORMAT = 1
SESSION_KEY_BYTES = 32
_NONCE_BYTES = 12
SESSION_FIELD = "vault_sealed"
_CACHE_ATTRIBUTE = "_vault_unlocked_keys"
_MISSING = object()


def _aad(user_id: int, public_key: bytes) -> bytes:
    return context(
        "session-unlock", f"user:{user_id}", f"pub:{hashlib.sha256(public_key).hexdigest()}"
    )


@sensitive_variables()
def seal_personal_key(unlocked: UnlockedKeys) -> tuple[bytes, bytes]:
    """(sealed blob for the server side, per-session key for the client side only)."""
    key = unlocked.personal_key
    session_key = os.urandom(SESSION_KEY_BYTES)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(session_key).encrypt(
        nonce, key.private_bytes(), _aad(unlocked.user.pk, key.public_bytes())
    )
    return bytes([FORMAT]) + nonce + sealed, session_key


@sensitive_variables()
def open_personal_key(user: User, sealed: bytes, session_key: bytes) -> UnlockedKeys:
    """The unlocked keys, or Locked on any failure (wrong half, tampered, key replaced)."""
    sealed, session_key = bytes(sealed), bytes(session_key)
    if (
        len(session_key) != SESSION_KEY_BYTES
        or len(sealed) != 1 + _NONCE_BYTES + SEED_BYTES + 16
        or sealed[0] != FORMAT
        or user is None
        or user.pk is None
    ):
        raise Locked
    row = PersonalKey.objects.filter(user=user).only("public_key").first()
    if row is None:
        raise Locked
    public_key = bytes(row.public_key)
    try:
        seed = AESGCM(session_key).decrypt(
            sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :], _aad(user.pk, public_key)
        )
    except InvalidTag:
        raise Locked from None
    # No need to compare public keys here: the associated data named this one when it was sealed.
    return UnlockedKeys(user, PrivateKey(seed))


# --- Browser sessions ------------------------------------------------------------------------


def start_unlocked_session(
    request: HttpRequest, response: HttpResponseBase, unlocked: UnlockedKeys
) -> None:
    """Call after login (and its session-key rotation): ciphertext into the session, key into
    the vault cookie."""
    sealed, session_key = seal_personal_key(unlocked)
    request.session[SESSION_FIELD] = base64.b64encode(sealed).decode()
    response.set_cookie(
        settings.VAULT_COOKIE_NAME,
        base64.urlsafe_b64encode(session_key).decode().rstrip("="),
        max_age=None,  # a browser-session cookie: closing the browser forgets the key
        path="/",
        secure=settings.COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    setattr(request, _CACHE_ATTRIBUTE, unlocked)


@sensitive_variables()
def unlocked_keys(request: HttpRequest) -> UnlockedKeys | None:
    """The signed-in user's unlocked keys, from both halves; None when either is missing or
    does not fit. Cached on the request (one unseal per request)."""
    cached = getattr(request, _CACHE_ATTRIBUTE, _MISSING)
    if cached is None or isinstance(cached, UnlockedKeys):
        return cached
    result = None
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    cookie = request.COOKIES.get(settings.VAULT_COOKIE_NAME, "")
    sealed = session.get(SESSION_FIELD) if session is not None else None
    if user is not None and user.is_authenticated and sealed and cookie:
        try:
            result = open_personal_key(
                user,
                base64.b64decode(sealed, validate=True),
                base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)),
            )
        except (Locked, binascii.Error, ValueError):
            result = None
    setattr(request, _CACHE_ATTRIBUTE, result)
    return result


def end_unlocked_session(request: HttpRequest, response: HttpResponseBase) -> None:
    """Logout: forget the sealed key server-side and tell the browser to drop its half."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SESSION_FIELD, None)
    response.delete_cookie(settings.VAULT_COOKIE_NAME, path="/", samesite="Strict")
    setattr(request, _CACHE_ATTRIBUTE, None)
