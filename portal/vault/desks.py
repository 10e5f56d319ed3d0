"""Desks, the recovery key, and who holds which desk key.

A desk private key exists on the server only wrapped: to each member's personal public key
(`DeskGrant`) and to the recovery public key (`RecoveryWrap`). Granting therefore needs the desk
private key in hand, from one of two keyrings:
- `UnlockedKeys` (portal.vault.personal): a member's unlocked session, for supervisors in the UI;
- `RecoveryKeyring`: the offline recovery key, for `manage.py grant_desk` and disaster recovery.

Every state change here is one function, so the audit call goes in one place.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.vault import keys
from portal.vault.errors import (
    AlreadyInitialized,
    DecryptionFailed,
    NoDeskAccess,
    NoPersonalKey,
    NotEligible,
    NotInitialized,
    UnknownDesk,
    WrongRecoveryKey,
)
from portal.vault.keys import PrivateKey
from portal.vault.models import (
    TRIAGE_SLUG,
    Desk,
    DeskGrant,
    PersonalKey,
    RecoveryKey,
    RecoveryWrap,
    WrappedKey,
)

if TYPE_CHECKING:
    from portal.models import User
    from portal.vault.personal import UnlockedKeys
    from triage.models import Organization

RECOVERY_VERSION = 1


class Keyring(Protocol):
    """Anything that can hand out a desk's private key for a given key version."""

    def desk_private_key(self, desk: Desk, version: int | None = None) -> PrivateKey: ...


# --- Contexts (HPKE info) ----------------------------------------------------------------------


def grant_info(desk: Desk, version: int, user_id: int) -> bytes:
    return keys.context(f"desk:{desk.slug}", f"key:{version}", f"grant:user:{user_id}")


def recovery_info(desk: Desk, version: int, recovery_version: int) -> bytes:
    return keys.context(f"desk:{desk.slug}", f"key:{version}", f"recovery:{recovery_version}")


def datakey_info(desk: Desk, version: int, record_type: str, record_id: str) -> bytes:
    return keys.context(f"desk:{desk.slug}", f"key:{version}", f"datakey:{record_type}:{record_id}")


# --- Reading ------------------------------------------------------------------------------------


def is_initialized() -> bool:
    return RecoveryKey.objects.exists()


def get_desk(slug: str) -> Desk:
    """By desk slug, or by the organization's current slug (a desk keeps the slug it was created
    with: it is bound into every wrap). Read fresh every time: rotation changes the key version."""
    desk = (
        Desk.objects.filter(slug=slug).first()
        or Desk.objects.filter(organization__slug=slug).first()
    )
    if desk is None:
        raise UnknownDesk(f"There is no desk {slug!r}.")
    return desk


def triage_desk() -> Desk:
    try:
        return get_desk(TRIAGE_SLUG)
    except UnknownDesk:
        raise NotInitialized("The vault is not initialised: run `manage.py vault_init`.") from None


def live_versions(desk: Desk) -> list[int]:
    """Key versions that still open something: the current one and any a data key still uses."""
    used = set(
        WrappedKey.objects.filter(desk=desk).values_list("key_version", flat=True).distinct()
    )
    return sorted(used | {desk.key_version})


def holds_desk(user: User, desk: Desk) -> bool:
    """Has a wrap of the desk's current key (says nothing about being able to unlock it)."""
    return DeskGrant.objects.filter(desk=desk, user=user, key_version=desk.key_version).exists()


# --- The recovery keyring ----------------------------------------------------------------------


class RecoveryKeyring:
    """Opens any version of any desk key with the offline recovery key."""

    def __init__(self, recovery_key: PrivateKey) -> None:
        stored = RecoveryKey.objects.filter(version=RECOVERY_VERSION).first()
        if stored is None:
            raise NotInitialized("The vault is not initialised: run `manage.py vault_init`.")
        if not hmac.compare_digest(bytes(stored.public_key), recovery_key.public_bytes()):
            raise WrongRecoveryKey("This recovery key belongs to another vault.")
        self._recovery_key = recovery_key
        self._cache: dict[tuple[int, int], PrivateKey] = {}

    def desk_private_key(self, desk: Desk, version: int | None = None) -> PrivateKey:
        version = desk.key_version if version is None else version
        cached = self._cache.get((desk.pk, version))
        if cached is not None:
            return cached
        wrap = RecoveryWrap.objects.filter(desk=desk, key_version=version).first()
        if wrap is None:
            raise NoDeskAccess(f"No recovery wrap for {desk} v{version}.")
        seed = keys.unwrap(
            wrap.wrapped_private_key,
            self._recovery_key,
            recovery_info(desk, version, wrap.recovery_version),
        )
        key = self._cache[(desk.pk, version)] = PrivateKey(seed)
        return key

    def __repr__(self) -> str:
        return "<RecoveryKeyring>"


# --- State changes -------------------------------------------------------------------------------


def wrap_to_recovery(desk: Desk, version: int, desk_key: PrivateKey) -> None:
    recovery = RecoveryKey.objects.get(version=RECOVERY_VERSION)
    RecoveryWrap.objects.create(
        desk=desk,
        key_version=version,
        recovery_version=recovery.version,
        wrapped_private_key=keys.wrap(
            desk_key.private_bytes(),
            bytes(recovery.public_key),
            recovery_info(desk, version, recovery.version),
        ),
    )


@transaction.atomic
def initialize() -> PrivateKey:
    """Create the recovery keypair and the triage desk. Returns the recovery private key, which
    the caller shows once and which is never stored. Audit: VAULT_INITIALIZED."""
    if is_initialized():
        raise AlreadyInitialized("The vault is already initialised; its recovery key exists.")
    recovery_key = PrivateKey.generate()
    try:
        # The unique version makes a concurrent second initialisation fail here, not later.
        with transaction.atomic():
            RecoveryKey.objects.create(
                version=RECOVERY_VERSION, public_key=recovery_key.public_bytes()
            )
    except IntegrityError:
        raise AlreadyInitialized(
            "The vault is already initialised; its recovery key exists."
        ) from None
    _create_desk(TRIAGE_SLUG, organization=None)
    return recovery_key


def _create_desk(slug: str, organization: Organization | None) -> Desk:
    desk_key = PrivateKey.generate()
    desk = Desk.objects.create(
        slug=slug, organization=organization, key_version=1, public_key=desk_key.public_bytes()
    )
    wrap_to_recovery(desk, 1, desk_key)
    return desk


@transaction.atomic
def create_organization_desk(organization: Organization) -> Desk:
    """A partner organization's desk, its key wrapped to the recovery key. Audit: DESK_CREATED."""
    if not is_initialized():
        raise NotInitialized("The vault is not initialised: run `manage.py vault_init` first.")
    if organization.slug == TRIAGE_SLUG:
        raise ValueError("'triage' is the task force's desk and cannot name an organization.")
    if Desk.objects.filter(slug=organization.slug).exists():
        # Possible after a rename: desks keep their first slug, which every wrap is bound to.
        raise ValueError(f"A desk named {organization.slug!r} exists already; choose another slug.")
    return _create_desk(organization.slug, organization)


def check_eligible(desk: Desk, user: User) -> None:
    """Separation of duties, enforced where keys are handed out: the triage desk only to task-force
    staff who may read tips, an organization's desk only to that organization's liaisons."""
    if not user.is_active:
        raise NotEligible(f"{user.username} is disabled.")
    if desk.is_triage:
        allowed = user.may("triage.view_tip")
    else:
        allowed = user.may("handoffs.view") and user.organization_id == desk.organization_id
    if not allowed:
        raise NotEligible(f"{user.username} ({user.role}) may not hold the {desk.slug} desk key.")


@transaction.atomic
def grant_desk(desk: Desk, to_user: User, keyring: Keyring) -> list[int]:
    """Wrap the desk key (every live version the keyring opens) to `to_user`'s personal key.

    The current version is required; older ones (a rotation in progress) are granted when the
    keyring holds them. Returns the versions granted. Audit: DESK_GRANTED.
    """
    # Locked and fresh: a rotation starting meanwhile must not leave this member a version behind.
    desk = Desk.objects.select_for_update().get(pk=desk.pk)
    check_eligible(desk, to_user)
    personal = PersonalKey.objects.filter(user=to_user).first()
    if personal is None:
        raise NoPersonalKey(f"{to_user.username} has no personal key yet (no password set).")
    granted = []
    for version in live_versions(desk):
        try:
            desk_key = keyring.desk_private_key(desk, version)
        except NoDeskAccess:
            if version == desk.key_version:
                raise
            continue
        DeskGrant.objects.update_or_create(
            desk=desk,
            user=to_user,
            key_version=version,
            defaults={
                "wrapped_private_key": keys.wrap(
                    desk_key.private_bytes(),
                    bytes(personal.public_key),
                    grant_info(desk, version, to_user.pk),
                ),
                "created_at": timezone.now(),
            },
        )
        granted.append(version)
    return granted


def grant_desk_from_session(desk: Desk, to_user: User, unlocked: UnlockedKeys) -> None:
    """A member (a supervisor, in the UI) passes on the desk key from their unlocked session."""
    grant_desk(desk, to_user, unlocked)


def grant_desk_with_recovery(desk: Desk, to_user: User, recovery_key: PrivateKey) -> None:
    grant_desk(desk, to_user, RecoveryKeyring(recovery_key))


@transaction.atomic
def revoke_desk(desk: Desk, user: User) -> int:
    """Delete the user's wraps of every version of the desk key. Returns how many.

    Revoking stops future reads from the server; it cannot take back what the member already
    read. After a suspected compromise, also rotate the desk key. Audit: DESK_REVOKED.
    """
    deleted, _ = DeskGrant.objects.filter(desk=desk, user=user).delete()
    return deleted


def open_grant(grant: DeskGrant, personal_key: PrivateKey) -> PrivateKey:
    try:
        seed = keys.unwrap(
            grant.wrapped_private_key,
            personal_key,
            grant_info(grant.desk, grant.key_version, grant.user_id),
        )
    except DecryptionFailed:
        raise NoDeskAccess(f"The grant of {grant.desk} does not open with this key.") from None
    return PrivateKey(seed)
