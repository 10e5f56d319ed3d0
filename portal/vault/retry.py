"""Sealed answers for a retried submission: the receipt again, without keeping it readable.

A tipster whose connection dropped after the tip was stored must get the same receipt when the
browser or API client sends the same submission again. The client's retry key (the API's
`Idempotency-Key`, the HTML form's one-time token: at least 128 bits it alone holds) is the only
thing that opens the copy:

- `retry_lookup(key)`: HMAC-SHA256 under a subkey of `VAULT_RECEIPT_KEY`: the database finds the
  copy by equality and cannot test guesses of a key without the server secret;
- `seal_answer` / `open_answer`: AES-256-GCM under HKDF(retry key, salt = another subkey), so
  neither a database thief (no retry key) nor someone holding only a retry key (no server secret)
  can read the answer. The copy is deleted when the retry window ends (`tips.tasks`).
"""

from __future__ import annotations

import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from portal.vault import content
from portal.vault.keys import context

ANSWER_AAD = context("retry", "answer")


@lru_cache(maxsize=4)
def _subkeys(receipt_key: str) -> tuple[bytes, bytes]:
    def derive(purpose: str) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=context("retry", purpose)
        ).derive(receipt_key.encode())

    return derive("lookup"), derive("seal")


@sensitive_variables()
def retry_lookup(retry_key: str) -> bytes:
    lookup_key, _ = _subkeys(settings.VAULT_RECEIPT_KEY)
    return hmac.digest(lookup_key, retry_key.encode(), "sha256")


@sensitive_variables()
def _answer_key(retry_key: str) -> content.DataKey:
    _, salt = _subkeys(settings.VAULT_RECEIPT_KEY)
    return content.DataKey(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=context("retry", "key")).derive(
            retry_key.encode()
        )
    )


@sensitive_variables()
def seal_answer(retry_key: str, answer: bytes) -> bytes:
    return content.encrypt(_answer_key(retry_key), answer, ANSWER_AAD)


@sensitive_variables()
def open_answer(retry_key: str, sealed: bytes) -> bytes:
    """The answer, or `DecryptionFailed` when this key did not seal it."""
    return content.decrypt(_answer_key(retry_key), sealed, ANSWER_AAD)
