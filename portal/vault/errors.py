"""The vault's exceptions. Messages name records and desks, never key material or plaintext.

Names read as the condition a caller branches on (`except vault.Locked`), like Django's `Http404`,
rather than carrying an `Error` suffix.
"""

# ruff: noqa: N818

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault failure."""


class WrongPassword(VaultError):
    """The password does not decrypt the personal key. Nothing is unlocked."""

    def __init__(self, message: str = "The password does not unlock this key.") -> None:
        super().__init__(message)


class NoPersonalKey(WrongPassword):
    """The account has no personal key yet. A subclass of WrongPassword on purpose: a caller
    that handles only WrongPassword (the sign-in form) still refuses, with the same message."""

    def __init__(self, message: str = "This account has no personal key.") -> None:
        super().__init__(message)


class Locked(VaultError):
    """The sealed session key cannot be opened: missing, expired, tampered with, or replaced."""

    def __init__(self, message: str = "The vault is locked for this session.") -> None:
        super().__init__(message)


class NoDeskAccess(VaultError):
    """The reader holds no key that opens this desk or record."""


class Shredded(NoDeskAccess):
    """The record's data keys were destroyed: its content is gone for every reader."""


class DecryptionFailed(VaultError):
    """A ciphertext or wrapped key failed authentication: tampered with, truncated, or moved
    from another record, field or desk."""


class NotInitialized(VaultError):
    """`vault_init` has not been run yet."""


class AlreadyInitialized(VaultError):
    """`vault_init` refuses to run twice: a second recovery key would orphan the first."""


class WrongRecoveryKey(VaultError):
    """Not a recovery key, or not this vault's."""


class UnknownDesk(VaultError):
    """No desk with that slug."""


class NotEligible(VaultError):
    """The account's role or organization may not hold this desk's key (separation of duties:
    admins never hold a desk key; liaisons only their own organization's)."""


class InvalidReceipt(ValueError):
    """Not a well-formed receipt code (wrong length or characters)."""
