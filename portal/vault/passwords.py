"""Password-derived keys: Argon2id, then peppered with a server secret.

`kek = HKDF-SHA256(ikm=Argon2id(password, salt, m, t, p), salt=VAULT_PASSWORD_PEPPER)`. Argon2id
makes each guess cost 64 MiB and three passes (production); the pepper, which never enters the
database, means a stolen database or backup alone allows no guessing at all. The personal key's
seed is then sealed with AES-256-GCM under the kek, with associated data naming the user, the
cost parameters and the public key, so a row edited or moved to another account fails to open.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from portal.vault.errors import WrongPassword
from portal.vault.keys import SEED_BYTES, context

FORMAT = 1
SALT_BYTES = 16
_NONCE_BYTES = 12


@dataclass(frozen=True)
class Argon2Params:
    memory_kib: int
    iterations: int
    lanes: int


def current_params() -> Argon2Params:
    """The cost new and re-wrapped personal keys get (settings VAULT_ARGON2_*)."""
    return Argon2Params(
        memory_kib=settings.VAULT_ARGON2_MEMORY_KIB,
        iterations=settings.VAULT_ARGON2_ITERATIONS,
        lanes=settings.VAULT_ARGON2_LANES,
    )


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


@sensitive_variables()
def derive_kek(password: str, salt: bytes, params: Argon2Params) -> bytes:
    stretched = Argon2id(
        salt=bytes(salt),
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(password.encode())
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=settings.VAULT_PASSWORD_PEPPER.encode(),
        info=context("personal-key-kek"),
    ).derive(stretched)


def _aad(user_id: int, params: Argon2Params, public_key: bytes | memoryview) -> bytes:
    return context(
        "personal-key",
        f"user:{user_id}",
        f"argon2id:m={params.memory_kib},t={params.iterations},p={params.lanes}",
        f"pub:{hashlib.sha256(bytes(public_key)).hexdigest()}",
    )


@sensitive_variables()
def seal_seed(
    seed: bytes, kek: bytes, *, user_id: int, params: Argon2Params, public_key: bytes
) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(kek).encrypt(nonce, seed, _aad(user_id, params, public_key))
    return bytes([FORMAT]) + nonce + sealed


@sensitive_variables()
def open_seed(
    sealed: bytes | memoryview,
    kek: bytes,
    *,
    user_id: int,
    params: Argon2Params,
    public_key: bytes | memoryview,
) -> bytes:
    """The seed, or WrongPassword. A wrong password fails GCM's tag check: no key comes out."""
    sealed = bytes(sealed)
    if len(sealed) != 1 + _NONCE_BYTES + SEED_BYTES + 16 or sealed[0] != FORMAT:
        raise WrongPassword
    try:
        return AESGCM(kek).decrypt(
            sealed[1 : 1 + _NONCE_BYTES],
            sealed[1 + _NONCE_BYTES :],
            _aad(user_id, params, public_key),
        )
    except InvalidTag:
        raise WrongPassword from None
