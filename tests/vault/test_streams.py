import hashlib
import io
import tracemalloc

import pytest

from portal.vault import content
from portal.vault.content import CHUNK_SIZE, DataKey
from portal.vault.errors import DecryptionFailed

AAD = content.field_aad("tips.attachment", 3, "file")
CHUNK = 1024  # small chunks keep the layout tests fast; the memory test uses the default


def seal(key: DataKey, data: bytes, chunk_size: int = CHUNK) -> bytes:
    out = io.BytesIO()
    assert content.encrypt_stream(key, io.BytesIO(data), out, AAD, chunk_size=chunk_size) == len(
        data
    )
    return out.getvalue()


def unseal(key: DataKey, sealed: bytes, aad: bytes = AAD) -> bytes:
    out = io.BytesIO()
    content.decrypt_stream(key, io.BytesIO(sealed), out, aad)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_it_round_trips_every_size(key: DataKey, size: int) -> None:
    data = bytes(range(256)) * (size // 256 + 1)
    assert unseal(key, seal(key, data[:size])) == data[:size]


def chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    header, body = sealed[:21], sealed[21:]
    step = 12 + CHUNK + 16
    return header, [body[i : i + step] for i in range(0, len(body), step)]


def test_it_refuses_truncation_at_a_chunk_boundary(key: DataKey) -> None:
    header, parts = chunks(seal(key, b"x" * (3 * CHUNK)))
    assert len(parts) == 3
    with pytest.raises(DecryptionFailed):
        unseal(key, header + b"".join(parts[:2]))


def test_it_refuses_reordered_or_duplicated_chunks(key: DataKey) -> None:
    header, parts = chunks(seal(key, bytes(range(256)) * 16 + b"tail"))
    for tampered in ([parts[1], parts[0], *parts[2:]], [parts[0], parts[0], *parts[1:]]):
        with pytest.raises(DecryptionFailed):
            unseal(key, header + b"".join(tampered))


def test_it_refuses_chunks_spliced_from_another_stream(key: DataKey) -> None:
    header_a, parts_a = chunks(seal(key, b"a" * (2 * CHUNK + 1)))
    _header_b, parts_b = chunks(seal(key, b"b" * (2 * CHUNK + 1)))
    with pytest.raises(DecryptionFailed):
        unseal(key, header_a + parts_b[0] + b"".join(parts_a[1:]))


def test_it_refuses_a_flipped_bit_trailing_data_and_another_aad(key: DataKey) -> None:
    sealed = seal(key, b"evidence" * 500)
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 0x80
    for broken in (bytes(flipped), sealed + b"!", sealed[:10]):
        with pytest.raises(DecryptionFailed):
            unseal(key, broken)
    with pytest.raises(DecryptionFailed):
        unseal(key, sealed, content.field_aad("tips.attachment", 4, "file"))


def test_it_refuses_a_forged_header(key: DataKey) -> None:
    sealed = bytearray(seal(key, b"data"))
    sealed[1:5] = (2**31).to_bytes(4, "big")  # a chunk size that would make us buffer 2 GB
    with pytest.raises(DecryptionFailed):
        unseal(key, bytes(sealed))


class Pattern(io.RawIOBase):
    """`size` bytes generated on the fly, never held in memory, with short reads like a socket."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = hashlib.sha256(b"seed").digest() * 1000  # 32,000: not a chunk multiple

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = min(self.left, len(self.block) if n < 0 else n, len(self.block))
        self.left -= n
        return self.block[:n]


class Digest:
    """A writer that keeps only a hash (and the size) of what it is given."""

    def __init__(self) -> None:
        self.hash, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def test_it_streams_100_mb_in_bounded_memory(key: DataKey, tmp_path) -> None:
    size = 100 * 1024 * 1024
    expected = Digest()
    source = Pattern(size)
    while block := source.read(1 << 20):
        expected.write(block)
    sealed_path = tmp_path / "sealed.bin"
    tracemalloc.start()
    try:
        with sealed_path.open("wb") as sealed:
            content.encrypt_stream(key, Pattern(size), sealed, AAD)
        _, encrypt_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        plain = Digest()
        with sealed_path.open("rb") as sealed:
            assert content.decrypt_stream(key, sealed, plain, AAD) == size
        _, decrypt_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert plain.hash.digest() == expected.hash.digest()
    chunk_count = -(-size // CHUNK_SIZE)  # 1,600 full chunks, the last one flagged final
    assert sealed_path.stat().st_size == 21 + size + chunk_count * (12 + 16)
    # A handful of 64 KiB chunks in flight, never the file: 2 MiB is 2% of it.
    assert encrypt_peak < 2 * 1024 * 1024
    assert decrypt_peak < 2 * 1024 * 1024
