"""The vault: every key and every ciphertext in Tip Portal goes through here.

Key hierarchy (docs/keys.md has the full picture and the threat analysis):

    recovery key (offline, shown once) ─┐
    password ─Argon2id─▶ personal key ──┴─HPKE─▶ desk key (triage | organization)
                                                  └─HPKE─▶ data key per record ─AES-GCM─▶ content
    receipt code ─HKDF─▶ tipster key ─HPKE─▶ data key of each message in the tipster thread

HPKE is RFC 9180 with KEM MLKEM768_X25519 (post-quantum hybrid), HKDF-SHA256, AES-256-GCM.

Public API (import as `from portal import vault`):

    Setup       is_initialized(), initialize(actor=), triage_desk(), get_desk(slug),
                create_organization_desk(org, actor=)
    Staff keys  create_personal_key(user, password, actor=),
                change_password_key(user, old, new, actor=),
                unlock(user, password) -> UnlockedKeys, UnlockedKeys.desk_private_key(desk)
    Desks       grant_desk_from_session(desk, to_user, unlocked, actor=),
                grant_desk_with_recovery(desk, to_user, recovery_key, actor=),
                revoke_desk(desk, user, actor=), RecoveryKeyring(keys.parse_recovery_key(text))
    Records     new_record_key / open_record_key(s) -> RecordKey, encrypt_record /
                decrypt_record, shred(record), revoke_reader(record, desk)
    Rotation    rotate_desk_key(desk, keyring, batch_size=..., actor=)
    Modules     session (browser/API unlock), tipster (receipts), retry (sealed answers for a
                retried submission), blind_index, content, keys

Every state change above writes its audit entry (`audit.record`) in its own transaction. The
keyword-only `actor` (a User or "system") says who asked; it defaults to the member whose
unlocked keys are used, else "system". A change made with the recovery key also records
RECOVERY_KEY_USED.
"""

from portal.vault import blind_index, content, keys, retry, session, tipster
from portal.vault.desks import (
    Keyring,
    RecoveryKeyring,
    create_organization_desk,
    get_desk,
    grant_desk,
    grant_desk_from_session,
    grant_desk_with_recovery,
    holds_desk,
    initialize,
    is_initialized,
    revoke_desk,
    triage_desk,
)
from portal.vault.errors import (
    AlreadyInitialized,
    DecryptionFailed,
    InvalidReceipt,
    Locked,
    NoDeskAccess,
    NoPersonalKey,
    NotEligible,
    NotInitialized,
    Shredded,
    UnknownDesk,
    VaultError,
    WrongPassword,
    WrongRecoveryKey,
)
from portal.vault.keys import PrivateKey
from portal.vault.models import TRIAGE_SLUG
from portal.vault.personal import UnlockedKeys, change_password_key, create_personal_key, unlock
from portal.vault.records import (
    RecordKey,
    decrypt_record,
    encrypt_record,
    new_record_key,
    open_record_key,
    open_record_keys,
    revoke_reader,
    shred,
    shred_many,
)
from portal.vault.rotation import RotationReport, rotate_desk_key

__all__ = [
    "TRIAGE_SLUG",
    "AlreadyInitialized",
    "DecryptionFailed",
    "InvalidReceipt",
    "Keyring",
    "Locked",
    "NoDeskAccess",
    "NoPersonalKey",
    "NotEligible",
    "NotInitialized",
    "PrivateKey",
    "RecordKey",
    "RecoveryKeyring",
    "RotationReport",
    "Shredded",
    "UnknownDesk",
    "UnlockedKeys",
    "VaultError",
    "WrongPassword",
    "WrongRecoveryKey",
    "blind_index",
    "change_password_key",
    "content",
    "create_organization_desk",
    "create_personal_key",
    "decrypt_record",
    "encrypt_record",
    "get_desk",
    "grant_desk",
    "grant_desk_from_session",
    "grant_desk_with_recovery",
    "holds_desk",
    "initialize",
    "is_initialized",
    "keys",
    "new_record_key",
    "open_record_key",
    "open_record_keys",
    "retry",
    "revoke_desk",
    "revoke_reader",
    "rotate_desk_key",
    "session",
    "shred",
    "shred_many",
    "tipster",
    "triage_desk",
    "unlock",
]
