"""Records: one random data key per record, wrapped to each reader; content sealed under it.

A *record* is a model instance (named by its `app_label.model` and primary key, so save it
first) or an explicit `(record_type, record_id)` pair, e.g. `("tips.tip", tip.code)` when the
row is not written yet. The data key's wraps live in `WrappedKey`, one per reader:
- a desk, at the desk's current key version (rotation re-wraps them later);
- optionally the record's tipster (`tipster_public_key`), for messages in the tipster thread.

Writing needs only public keys, so the public tip form holds no private key at all:

    key = vault.new_record_key(tip, desks=["triage"])     # desk rows or slugs
    tip.description = key.encrypt("description", text.encode())
    key.encrypt_stream(f"attachment:{a.pk}", upload, storage_file)

    # or, for a few fields at once
    ciphertexts = vault.encrypt_record(msg, {"body": b"..."}, desks=[triage], tipster_public_key=pk)

Reading takes a keyring (`UnlockedKeys` from the session, or `RecoveryKeyring`) or, for the
tipster, the `PrivateKey` from `tipster_keypair(receipt)`:

    key = vault.open_record_key(tip, unlocked)          # NoDeskAccess, Shredded, DecryptionFailed
    text = key.decrypt("description", tip.description)

`shred(record)` deletes every wrap: the content is then unreadable for everyone, recovery key
included, in this database and in every later backup.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO, NoReturn

from django.db import models, transaction
from django.db.models import Q

from portal.vault import content, keys
from portal.vault.content import DataKey, Reader, Writer
from portal.vault.desks import Keyring, datakey_info
from portal.vault.errors import DecryptionFailed, NoDeskAccess, Shredded, UnknownDesk
from portal.vault.keys import PrivateKey
from portal.vault.models import Desk, WrappedKey

Record = models.Model | tuple[str, str | int]
TIPSTER_KEY_VERSION = 0


def record_ref(record: Record) -> tuple[str, str]:
    if isinstance(record, tuple):
        record_type, record_id = record
    else:
        if record.pk is None:
            raise ValueError("save the record before encrypting for it: its id is bound in")
        record_type, record_id = record._meta.label_lower, record.pk
    keys.context(record_type, record_id)  # validates both as context components
    return record_type, str(record_id)


def tipster_info(record_type: str, record_id: str) -> bytes:
    return keys.context("tipster", f"datakey:{record_type}:{record_id}")


class RecordKey:
    """A record's data key, bound to the record: every field's associated data names it."""

    __slots__ = ("_data_key", "record_id", "record_type")

    def __init__(self, record_type: str, record_id: str, data_key: DataKey) -> None:
        self.record_type, self.record_id, self._data_key = record_type, record_id, data_key

    def _aad(self, field: str) -> bytes:
        return content.field_aad(self.record_type, self.record_id, field)

    def encrypt(self, field: str, plaintext: bytes) -> bytes:
        return content.encrypt(self._data_key, plaintext, self._aad(field))

    def decrypt(self, field: str, ciphertext: bytes) -> bytes:
        return content.decrypt(self._data_key, ciphertext, self._aad(field))

    def encrypt_stream(
        self, field: str, reader: Reader | BinaryIO, writer: Writer | BinaryIO
    ) -> int:
        return content.encrypt_stream(self._data_key, reader, writer, self._aad(field))

    def decrypt_stream(
        self, field: str, reader: Reader | BinaryIO, writer: Writer | BinaryIO
    ) -> int:
        return content.decrypt_stream(self._data_key, reader, writer, self._aad(field))

    def decrypt_chunks(self, field: str, reader: Reader | BinaryIO) -> Iterator[bytes]:
        """For streaming responses: abort the response if this raises midway."""
        return content.decrypt_chunks(self._data_key, reader, self._aad(field))

    def __repr__(self) -> str:
        return f"<RecordKey {self.record_type}:{self.record_id}>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("vault keys cannot be pickled")


def new_record_key(
    record: Record, *, desks: Iterable[Desk | str], tipster_public_key: bytes | None = None
) -> RecordKey:
    """A fresh data key for `record`, wrapped to each desk's current key (and the tipster's).

    `desks` are Desk rows or desk slugs (`"triage"`): either way they are read once, here, so
    the wrap uses each desk's current key version. Inside the caller's transaction, without a
    savepoint of its own: if the wraps cannot be written, the record must not be either.
    """
    record_type, record_id = record_ref(record)
    named = list(desks)
    slugs = [desk for desk in named if isinstance(desk, str)]
    pks = [desk.pk for desk in named if isinstance(desk, Desk)]
    # Current versions, read now: a desk object loaded before a rotation would be a version behind.
    fresh = list(Desk.objects.filter(Q(pk__in=pks) | Q(slug__in=slugs))) if named else []
    if len(fresh) != len(set(slugs)) + len(set(pks)):
        raise UnknownDesk(f"unknown desk among {slugs or pks}")
    if not fresh and tipster_public_key is None:
        raise ValueError("a record needs at least one reader")
    data_key = DataKey.generate()
    rows = [
        WrappedKey(
            record_type=record_type,
            record_id=record_id,
            desk=desk,
            key_version=desk.key_version,
            wrapped_key=keys.wrap(
                data_key.raw_bytes(),
                bytes(desk.public_key),
                datakey_info(desk, desk.key_version, record_type, record_id),
            ),
        )
        for desk in fresh
    ]
    if tipster_public_key is not None:
        rows.append(
            WrappedKey(
                record_type=record_type,
                record_id=record_id,
                desk=None,
                key_version=TIPSTER_KEY_VERSION,
                wrapped_key=keys.wrap(
                    data_key.raw_bytes(), tipster_public_key, tipster_info(record_type, record_id)
                ),
            )
        )
    with transaction.atomic(savepoint=False):
        WrappedKey.objects.bulk_create(rows)
    return RecordKey(record_type, record_id, data_key)


def open_record_key(record: Record, reader: Keyring | PrivateKey) -> RecordKey:
    """The record's data key for `reader`: a keyring (staff, recovery) or a tipster's key.

    Shredded when no wrap is left; NoDeskAccess when none is for this reader; DecryptionFailed
    when the reader's wrap does not open (moved from another record, or tampered with).
    Audit (by the caller, who knows why it reads): *_VIEWED.
    """
    record_type, record_id = record_ref(record)
    wraps = WrappedKey.objects.filter(record_type=record_type, record_id=record_id)
    return _open_from_wraps(record_type, record_id, list(wraps.select_related("desk")), reader)


def open_record_keys(
    records: Iterable[Record], reader: Keyring | PrivateKey
) -> dict[tuple[str, str], RecordKey]:
    """Several records' keys with one query (related tips, exports), keyed by `record_ref`.
    Records the reader cannot open (no access, shredded, damaged) are left out: open one of
    them with `open_record_key` to learn why."""
    refs = [record_ref(record) for record in records]
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for record_type, record_id in refs:
        ids_by_type[record_type].append(record_id)
    if not refs:
        return {}
    query = Q()
    for record_type, ids in ids_by_type.items():
        query |= Q(record_type=record_type, record_id__in=ids)
    wraps: dict[tuple[str, str], list[WrappedKey]] = defaultdict(list)
    for row in WrappedKey.objects.filter(query).select_related("desk"):
        wraps[(row.record_type, row.record_id)].append(row)
    opened = {}
    for ref in dict.fromkeys(refs):
        try:
            opened[ref] = _open_from_wraps(*ref, wraps[ref], reader)
        except (NoDeskAccess, DecryptionFailed):
            continue
    return opened


def _open_from_wraps(
    record_type: str, record_id: str, wraps: list[WrappedKey], reader: Keyring | PrivateKey
) -> RecordKey:
    if not wraps:
        raise Shredded(f"The content of {record_type}:{record_id} was destroyed.")
    failed = False
    for row in _readable_first(wraps):
        try:
            if isinstance(reader, PrivateKey):
                if row.desk is not None:
                    continue
                raw = keys.unwrap(row.wrapped_key, reader, tipster_info(record_type, record_id))
            else:
                if row.desk is None:
                    continue
                desk_key = reader.desk_private_key(row.desk, row.key_version)
                info = datakey_info(row.desk, row.key_version, record_type, record_id)
                raw = keys.unwrap(row.wrapped_key, desk_key, info)
        except NoDeskAccess:
            continue
        except DecryptionFailed:
            # With a desk key the reader holds, a wrap that fails was tampered with or moved; a
            # tipster key that fails is simply someone else's (their receipt is wrong).
            failed = failed or not isinstance(reader, PrivateKey)
            continue
        return RecordKey(record_type, record_id, DataKey(raw))
    if failed:
        raise DecryptionFailed(f"The key of {record_type}:{record_id} does not open here.")
    raise NoDeskAccess(f"No key of {record_type}:{record_id} is for this reader.")


def _readable_first(wraps: list[WrappedKey]) -> list[WrappedKey]:
    # Newest key version first: during a rotation both may exist and the new one is likelier held.
    return sorted(wraps, key=lambda row: -row.key_version)


def encrypt_record(
    record: Record,
    fields: Mapping[str, bytes],
    *,
    desks: Iterable[Desk | str],
    tipster_public_key: bytes | None = None,
) -> dict[str, bytes]:
    """Seal several fields under a new data key; returns {field: ciphertext}."""
    key = new_record_key(record, desks=desks, tipster_public_key=tipster_public_key)
    return {field: key.encrypt(field, plaintext) for field, plaintext in fields.items()}


def decrypt_record(
    record: Record, ciphertexts: Mapping[str, bytes], reader: Keyring | PrivateKey
) -> dict[str, bytes]:
    key = open_record_key(record, reader)
    return {field: key.decrypt(field, ciphertext) for field, ciphertext in ciphertexts.items()}


@transaction.atomic
def shred(record: Record) -> int:
    """Destroy every wrap of the record's data key. Returns how many. Audit: RECORD_SHREDDED."""
    record_type, record_id = record_ref(record)
    deleted, _ = WrappedKey.objects.filter(record_type=record_type, record_id=record_id).delete()
    return deleted


@transaction.atomic
def shred_many(records: Iterable[Record]) -> int:
    """`shred` for many records at once (a retention purge's batch): one query per record type.
    Returns how many wraps were destroyed."""
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for record in records:
        record_type, record_id = record_ref(record)
        ids_by_type[record_type].append(record_id)
    deleted = 0
    for record_type, ids in ids_by_type.items():
        for start in range(0, len(ids), 500):
            count, _ = WrappedKey.objects.filter(
                record_type=record_type, record_id__in=ids[start : start + 500]
            ).delete()
            deleted += count
    return deleted


@transaction.atomic
def revoke_reader(record: Record, desk: Desk) -> int:
    """Take one desk's access to a record away (every key version), leaving other readers'.
    Crypto-shredding for one reader: its holders can no longer open the record, in this database
    or any later backup. Returns how many wraps were deleted. Audit: by the caller, who knows why
    (e.g. CONSENT_REVOKED)."""
    record_type, record_id = record_ref(record)
    deleted, _ = WrappedKey.objects.filter(
        record_type=record_type, record_id=record_id, desk=desk
    ).delete()
    return deleted
