"""Content encryption: AES-256-GCM under a random per-record data key.

Fields: `encrypt(data_key, plaintext, aad)` → `01 | nonce (12) | ciphertext+tag`. The nonce is
random; with one data key per record the 2^32-messages-per-key limit of random GCM nonces
(NIST SP 800-38D) is never approached. The associated data comes from `field_aad()` and binds the
ciphertext to its record type, record id, field and data-key version, so a ciphertext copied
into another row or column fails to decrypt.

Streams (attachments): `encrypt_stream(data_key, reader, writer, aad)` reads and writes
file-like objects in 64 KiB chunks, so a 100 MB file never sits whole in memory. Layout:

    header   01 | chunk size (4, big-endian) | stream id (16, random)
    chunk i  nonce (12) | ciphertext+tag of up to `chunk size` bytes

Each chunk's associated data is `aad | header | i (8 bytes) | final flag`, in the spirit of the
STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015): dropping, reordering or
duplicating chunks, truncating at a chunk boundary, or splicing chunks from another stream fails.
An empty stream is one empty final chunk. `decrypt_stream` writes each chunk only after it
authenticated, but an attack on a later chunk is only detected when that chunk arrives: a caller
that streams to a client must treat an exception as "discard everything sent".
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO, NoReturn, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal.vault.errors import DecryptionFailed
from portal.vault.keys import context

FORMAT = 1
STREAM_FORMAT = 1
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 4 * 1024 * 1024  # refuse a forged header that would make us buffer gigabytes
DATA_KEY_VERSION = 1
_STREAM_HEADER = struct.Struct(">BI16s")


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writer(Protocol):
    def write(self, data: bytes, /) -> object: ...


class DataKey:
    """A 256-bit content key. Its repr never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != DATA_KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        self._key = bytes(key)

    @classmethod
    def generate(cls) -> DataKey:
        return cls(AESGCM.generate_key(bit_length=256))

    def raw_bytes(self) -> bytes:
        """The key itself, for wrapping to a desk. Handle with care."""
        return self._key

    def __repr__(self) -> str:
        return "<DataKey>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("vault keys cannot be pickled")


def field_aad(
    record_type: str, record_id: str | int, field: str, key_version: int = DATA_KEY_VERSION
) -> bytes:
    """Associated data for one field of one record."""
    return context("content", f"v{FORMAT}", record_type, record_id, field, f"k{key_version}")


def encrypt(data_key: DataKey, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return bytes([FORMAT]) + nonce + AESGCM(data_key.raw_bytes()).encrypt(nonce, plaintext, aad)


def decrypt(data_key: DataKey, ciphertext: bytes, aad: bytes) -> bytes:
    ciphertext = bytes(ciphertext)
    if len(ciphertext) < 1 + NONCE_BYTES + TAG_BYTES or ciphertext[0] != FORMAT:
        raise DecryptionFailed("not a vault ciphertext, or an unknown format version")
    nonce, body = ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
    try:
        return AESGCM(data_key.raw_bytes()).decrypt(nonce, body, aad)
    except InvalidTag:
        raise DecryptionFailed("the ciphertext does not belong here or was altered") from None


# --- Streams ----------------------------------------------------------------------------------


def _read_full(reader: Reader | BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end (raw files and sockets return short reads)."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = reader.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _chunk_aad(aad: bytes, header: bytes, index: int, final: bool) -> bytes:
    return aad + header + struct.pack(">QB", index, 1 if final else 0)


def encrypt_stream(
    data_key: DataKey,
    reader: Reader | BinaryIO,
    writer: Writer | BinaryIO,
    aad: bytes,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Encrypt everything `reader` yields into `writer`. Returns the plaintext length."""
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError("chunk size out of range")
    cipher = AESGCM(data_key.raw_bytes())
    header = _STREAM_HEADER.pack(STREAM_FORMAT, chunk_size, os.urandom(16))
    writer.write(header)
    total, index = 0, 0
    current = _read_full(reader, chunk_size)
    while True:
        # One chunk of look-ahead: a chunk is final when nothing follows it.
        following = _read_full(reader, chunk_size) if len(current) == chunk_size else b""
        final = not following
        nonce = os.urandom(NONCE_BYTES)
        writer.write(nonce + cipher.encrypt(nonce, current, _chunk_aad(aad, header, index, final)))
        total += len(current)
        if final:
            return total
        current, index = following, index + 1


def decrypt_chunks(data_key: DataKey, reader: Reader | BinaryIO, aad: bytes) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk, each authenticated before it is yielded."""
    header = _read_full(reader, _STREAM_HEADER.size)
    if len(header) != _STREAM_HEADER.size:
        _fail("the stream is truncated")
    version, chunk_size, _stream_id = _STREAM_HEADER.unpack(header)
    if version != STREAM_FORMAT or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        _fail("not a vault stream, or an unknown format version")
    cipher = AESGCM(data_key.raw_bytes())
    sealed_size = NONCE_BYTES + chunk_size + TAG_BYTES
    current = _read_full(reader, sealed_size)
    index = 0
    while True:
        if len(current) < NONCE_BYTES + TAG_BYTES:
            _fail("the stream is truncated")
        following = _read_full(reader, sealed_size) if len(current) == sealed_size else b""
        if len(current) < sealed_size and reader.read(1):
            _fail("data after the final chunk")
        final = not following
        try:
            yield cipher.decrypt(
                current[:NONCE_BYTES],
                current[NONCE_BYTES:],
                _chunk_aad(aad, header, index, final),
            )
        except InvalidTag:
            _fail("the stream was altered, truncated or reordered")
        if final:
            return
        current, index = following, index + 1


def decrypt_stream(
    data_key: DataKey, reader: Reader | BinaryIO, writer: Writer | BinaryIO, aad: bytes
) -> int:
    """Decrypt `reader` into `writer`. Returns the plaintext length; raises DecryptionFailed."""
    total = 0
    for chunk in decrypt_chunks(data_key, reader, aad):
        writer.write(chunk)
        total += len(chunk)
    return total


def _fail(message: str) -> NoReturn:
    raise DecryptionFailed(message)
