"""The vault's costs per operation, single-threaded (one core), crypto only (no database).

- per tip: encrypt a 1 KB payload under a fresh data key and wrap the key to the triage desk
  (what a submission pays), and the reverse (what opening a tip pays);
- the same with an X25519-only HPKE suite, measured in the same run: the price of the
  post-quantum hybrid KEM;
- a staff unlock at sign-in with the production Argon2id parameters (64 MiB, t=3, p=4);
- the small per-request steps: session unseal, receipt lookup + tipster keypair, blind index.

Targets (issue 4): under 1 ms per tip each way; an unlock under 1 s.

`make bench`, or on its own: `.venv/bin/python -m bench vault`.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import x25519

from bench.harness.report import row, verdict
from portal.vault import blind_index, content, keys, passwords, tipster
from portal.vault.content import DataKey

PAYLOAD = os.urandom(1024)
AAD = content.field_aad("tips.tip", 123456, "description")
INFO = keys.context("desk:triage", "key:1", "datakey:tips.tip:123456")
PRODUCTION_ARGON2 = passwords.Argon2Params(memory_kib=64 * 1024, iterations=3, lanes=4)
X25519_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def per_call_ms(fn: Callable[[], object], rounds: int) -> float:
    """Median over 5 repeats of the mean time per call, in milliseconds."""
    fn()  # warm-up: caches, lazy imports
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        samples.append((time.perf_counter() - start) / rounds * 1000)
    return statistics.median(samples)


def hybrid_tip() -> tuple[float, float]:
    desk = keys.PrivateKey.generate()
    public = desk.public_bytes()

    def seal() -> tuple[bytes, bytes]:
        data_key = DataKey.generate()
        return content.encrypt(data_key, PAYLOAD, AAD), keys.wrap(
            data_key.raw_bytes(), public, INFO
        )

    ciphertext, wrapped = seal()

    def open_() -> bytes:
        data_key = DataKey(keys.unwrap(wrapped, desk, INFO))
        return content.decrypt(data_key, ciphertext, AAD)

    assert open_() == PAYLOAD
    return per_call_ms(seal, 500), per_call_ms(open_, 500)


def x25519_tip() -> tuple[float, float]:
    desk = x25519.X25519PrivateKey.generate()
    public = desk.public_key()

    def seal() -> tuple[bytes, bytes]:
        data_key = DataKey.generate()
        wrapped = X25519_SUITE.encrypt(data_key.raw_bytes(), public, info=INFO)
        return content.encrypt(data_key, PAYLOAD, AAD), wrapped

    ciphertext, wrapped = seal()

    def open_() -> bytes:
        data_key = DataKey(X25519_SUITE.decrypt(wrapped, desk, info=INFO))
        return content.decrypt(data_key, ciphertext, AAD)

    assert open_() == PAYLOAD
    return per_call_ms(seal, 500), per_call_ms(open_, 500)


def staff_unlock_ms() -> float:
    """Argon2id at production cost, then opening the sealed seed and rebuilding the keypair."""
    password, salt, key = (
        "correct horse battery staple 1",
        passwords.new_salt(),
        keys.PrivateKey.generate(),
    )
    kek = passwords.derive_kek(password, salt, PRODUCTION_ARGON2)
    sealed = passwords.seal_seed(
        key.private_bytes(), kek, user_id=1, params=PRODUCTION_ARGON2, public_key=key.public_bytes()
    )

    def unlock() -> keys.PrivateKey:
        derived = passwords.derive_kek(password, salt, PRODUCTION_ARGON2)
        seed = passwords.open_seed(
            sealed, derived, user_id=1, params=PRODUCTION_ARGON2, public_key=key.public_bytes()
        )
        return keys.PrivateKey(seed)

    return per_call_ms(unlock, 1)


def main() -> None:
    hybrid_seal, hybrid_open = hybrid_tip()
    x_seal, x_open = x25519_tip()
    unlock = staff_unlock_ms()
    receipt = tipster.new_receipt()
    receipt_ms = per_call_ms(
        lambda: (tipster.receipt_lookup(receipt), tipster.tipster_keypair(receipt).public_bytes()),
        500,
    )
    seed = os.urandom(32)
    keypair_ms = per_call_ms(lambda: keys.PrivateKey(seed).public_bytes(), 500)
    index_ms = per_call_ms(lambda: blind_index.blind_index("phone", "(312) 555-0142"), 2000)

    hybrid_wrap = len(keys.wrap(seed, keys.PrivateKey.generate().public_bytes(), INFO))
    x_wrap = len(
        X25519_SUITE.encrypt(seed, x25519.X25519PrivateKey.generate().public_key(), info=INFO)
    )

    def under(ms: float, limit: float) -> str:
        return verdict(ms < limit, f"< {limit:g} ms")

    rows = [
        ("tip 1 KB, hybrid: encrypt + wrap", f"{hybrid_seal:.3f} ms", under(hybrid_seal, 1)),
        ("tip 1 KB, hybrid: unwrap + decrypt", f"{hybrid_open:.3f} ms", under(hybrid_open, 1)),
        ("tip 1 KB, X25519 only: encrypt + wrap", f"{x_seal:.3f} ms", "baseline"),
        ("tip 1 KB, X25519 only: unwrap + decrypt", f"{x_open:.3f} ms", "baseline"),
        ("hybrid / X25519 only, encrypt", f"{hybrid_seal / x_seal:.2f}x", ""),
        ("hybrid / X25519 only, decrypt", f"{hybrid_open / x_open:.2f}x", ""),
        ("wrapped data key, hybrid / X25519", f"{hybrid_wrap} / {x_wrap} B", ""),
        ("staff unlock, Argon2id 64 MiB t=3 p=4", f"{unlock:.1f} ms", under(unlock, 1000)),
        ("hybrid keypair expanded from a seed", f"{keypair_ms:.3f} ms", ""),
        ("receipt lookup + tipster public key", f"{receipt_ms:.3f} ms", ""),
        ("blind index, phone (normalise + HMAC)", f"{index_ms:.3f} ms", ""),
    ]
    for label, figure, note in rows:
        row(label, figure, note)
