"""Personal keys: each staff member's keypair, its private half stored only under a key derived
from their password, and `UnlockedKeys`, what a successful unlock hands to the session.

A forgotten password loses the personal key for good: `create_personal_key` makes a new one
(and drops the old desk grants, which only the old key could open); a supervisor or the recovery
key then grants the desks again.

Each change writes its audit entry in its own transaction, after the (slow) key derivation.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit import Action, record
from audit.record import SYSTEM, Actor
from portal.vault import passwords
from portal.vault.desks import open_grant
from portal.vault.errors import NoDeskAccess, NoPersonalKey, WrongPassword
from portal.vault.keys import PrivateKey
from portal.vault.models import Desk, DeskGrant, PersonalKey

if TYPE_CHECKING:
    from portal.models import User


class UnlockedKeys:
    """A staff member's unlocked personal key; desk keys are unwrapped from their grants on first
    use and kept for the life of this object (one request, or one management command)."""

    __slots__ = ("_desk_keys", "_personal_key", "user")

    def __init__(self, user: User, personal_key: PrivateKey) -> None:
        self.user = user
        self._personal_key = personal_key
        self._desk_keys: dict[tuple[int, int], PrivateKey | None] = {}

    @property
    def personal_key(self) -> PrivateKey:
        return self._personal_key

    def desk_private_key(self, desk: Desk, version: int | None = None) -> PrivateKey:
        """The desk's private key (current version unless told), or NoDeskAccess."""
        version = desk.key_version if version is None else version
        slot = (desk.pk, version)
        if slot not in self._desk_keys:
            grant = DeskGrant.objects.filter(desk=desk, user=self.user, key_version=version).first()
            if grant is not None:
                grant.desk = desk  # for the wrap's context; saves a query
            # Misses are remembered too: a page of mixed records asks once per desk, not per row.
            self._desk_keys[slot] = open_grant(grant, self._personal_key) if grant else None
        key = self._desk_keys[slot]
        if key is None:
            raise NoDeskAccess(f"{self.user.username} holds no key of {desk} v{version}.")
        return key

    def has_desk(self, desk: Desk) -> bool:
        try:
            self.desk_private_key(desk)
        except NoDeskAccess:
            return False
        return True

    def __repr__(self) -> str:
        return f"<UnlockedKeys of user {self.user.pk}>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("vault keys cannot be pickled")


@sensitive_variables()
def _encrypt_under_password(
    user: User, key: PrivateKey, password: str
) -> dict[str, bytes | int | datetime]:
    params = passwords.current_params()
    salt = passwords.new_salt()
    kek = passwords.derive_kek(password, salt, params)
    return {
        "public_key": key.public_bytes(),
        "encrypted_private_key": passwords.seal_seed(
            key.private_bytes(), kek, user_id=user.pk, params=params, public_key=key.public_bytes()
        ),
        "salt": salt,
        "argon2_memory_kib": params.memory_kib,
        "argon2_iterations": params.iterations,
        "argon2_lanes": params.lanes,
        "updated_at": timezone.now(),
    }


def _row_params(row: PersonalKey) -> passwords.Argon2Params:
    return passwords.Argon2Params(
        memory_kib=row.argon2_memory_kib, iterations=row.argon2_iterations, lanes=row.argon2_lanes
    )


@sensitive_variables()
def _open(row: PersonalKey, user: User, password: str) -> PrivateKey:
    params = _row_params(row)
    kek = passwords.derive_kek(password, bytes(row.salt), params)
    seed = passwords.open_seed(
        row.encrypted_private_key, kek, user_id=user.pk, params=params, public_key=row.public_key
    )
    key = PrivateKey(seed)
    if not hmac.compare_digest(key.public_bytes(), bytes(row.public_key)):
        raise WrongPassword  # the row was tampered with; never hand out a mismatched pair
    return key


def _params_details(fields: dict[str, bytes | int | datetime]) -> dict[str, object]:
    """The Argon2 cost parameters of a sealed key, for audit details (never the salt)."""
    return {
        "argon2_memory_kib": fields["argon2_memory_kib"],
        "argon2_iterations": fields["argon2_iterations"],
        "argon2_lanes": fields["argon2_lanes"],
    }


@sensitive_variables()
def create_personal_key(user: User, password: str, *, actor: Actor = SYSTEM) -> None:
    """A new keypair for `user`, sealed under `password`, replacing any previous one.

    Called when a staff account gets its password (creation, invitation, reset). Desk grants
    wrapped to the old key can no longer be opened, so they are deleted. Audit:
    PERSONAL_KEY_CREATED, by `actor` ("system" unless told: the account action that calls this
    records who asked for it).
    """
    key = PrivateKey.generate()
    fields = _encrypt_under_password(user, key, password)  # Argon2: before the transaction
    with transaction.atomic():
        dropped, _ = DeskGrant.objects.filter(user=user).delete()
        _row, created = PersonalKey.objects.update_or_create(user=user, defaults=fields)
        record(
            Action.PERSONAL_KEY_CREATED,
            actor=actor,
            target=user,
            replaced=not created,
            grants_dropped=dropped,
            **_params_details(fields),
        )


@sensitive_variables()
@transaction.atomic
def change_password_key(
    user: User, old_password: str, new_password: str, *, actor: Actor | None = None
) -> None:
    """Re-seal the same keypair under the new password (grants stay valid). WrongPassword when
    the old one is wrong. Audit: PERSONAL_KEY_REWRAPPED, by `actor` (default: the user)."""
    row = PersonalKey.objects.select_for_update().filter(user=user).first()
    if row is None:
        raise NoPersonalKey
    key = _open(row, user, old_password)
    fields = _encrypt_under_password(user, key, new_password)
    PersonalKey.objects.filter(pk=row.pk).update(**fields)
    record(
        Action.PERSONAL_KEY_REWRAPPED,
        actor=user if actor is None else actor,
        target=user,
        reason="password_changed",
        **_params_details(fields),
    )


@sensitive_variables()
def unlock(user: User, password: str) -> UnlockedKeys:
    """Decrypt the personal key with the password, or raise WrongPassword.

    A key sealed under older (cheaper) Argon2 parameters is re-sealed under the current ones
    while the password is at hand.
    """
    row = PersonalKey.objects.filter(user=user).first()
    if row is None:
        raise NoPersonalKey
    key = _open(row, user, password)
    if _row_params(row) != passwords.current_params():
        _reseal(row, user, key, password)
    return UnlockedKeys(user, key)


@sensitive_variables()
def _reseal(row: PersonalKey, user: User, key: PrivateKey, password: str) -> None:
    """Audit: PERSONAL_KEY_REWRAPPED (parameters raised), by the user who unlocked."""
    fields = _encrypt_under_password(user, key, password)  # Argon2: before the transaction
    with transaction.atomic():
        # Conditional on the row being unchanged: a concurrent password change wins.
        updated = PersonalKey.objects.filter(pk=row.pk, updated_at=row.updated_at).update(**fields)
        if updated:
            record(
                Action.PERSONAL_KEY_REWRAPPED,
                actor=user,
                target=user,
                reason="argon2_params_raised",
                **_params_details(fields),
            )
