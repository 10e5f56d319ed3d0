import pickle

import pytest

from portal.vault import content
from portal.vault.content import DataKey, field_aad
from portal.vault.errors import DecryptionFailed

AAD = field_aad("tips.tip", 7, "description")


def test_it_round_trips_a_field(key: DataKey) -> None:
    sealed = content.encrypt(key, b"a van behind the motel", AAD)
    assert content.decrypt(key, sealed, AAD) == b"a van behind the motel"


def test_it_uses_a_fresh_nonce_and_a_versioned_format(key: DataKey) -> None:
    first, second = content.encrypt(key, b"same", AAD), content.encrypt(key, b"same", AAD)
    assert first != second
    assert first[0] == second[0] == content.FORMAT
    assert len(first) == 1 + 12 + len(b"same") + 16


@pytest.mark.parametrize(
    "other",
    [
        field_aad("tips.tip", 8, "description"),  # copied into another record
        field_aad("tips.tip", 7, "location"),  # copied into another field
        field_aad("triage.note", 7, "description"),  # another record type, same id
        field_aad("tips.tip", 7, "description", key_version=2),  # another data-key version
    ],
)
def test_it_refuses_a_ciphertext_moved_elsewhere(key: DataKey, other: bytes) -> None:
    sealed = content.encrypt(key, b"secret", AAD)
    with pytest.raises(DecryptionFailed):
        content.decrypt(key, sealed, other)


@pytest.mark.parametrize("position", [0, 1, 13, -1])
def test_it_detects_a_flipped_bit(key: DataKey, position: int) -> None:
    sealed = bytearray(content.encrypt(key, b"secret", AAD))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        content.decrypt(key, bytes(sealed), AAD)


def test_it_refuses_a_truncated_or_empty_ciphertext(key: DataKey) -> None:
    sealed = content.encrypt(key, b"secret", AAD)
    for broken in (b"", sealed[:20], sealed[:-1]):
        with pytest.raises(DecryptionFailed):
            content.decrypt(key, broken, AAD)


def test_it_refuses_another_data_key(key: DataKey) -> None:
    sealed = content.encrypt(key, b"secret", AAD)
    with pytest.raises(DecryptionFailed):
        content.decrypt(DataKey.generate(), sealed, AAD)


def test_it_accepts_a_memoryview_from_the_database(key: DataKey) -> None:
    sealed = content.encrypt(key, b"secret", AAD)
    assert content.decrypt(key, memoryview(sealed), AAD) == b"secret"


def test_it_never_shows_or_pickles_the_key(key: DataKey) -> None:
    assert key.raw_bytes().hex() not in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_it_refuses_context_parts_that_could_blur_boundaries() -> None:
    with pytest.raises(ValueError, match="component"):
        field_aad("tips.tip", "7/description", "x")
    with pytest.raises(ValueError, match="component"):
        field_aad("tips.tip", 7, "")
