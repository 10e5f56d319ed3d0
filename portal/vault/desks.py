"""Desks, the recovery key, and who holds which desk key.

A desk private key exists on the server only wrapped: to each member's personal public key
(`DeskGrant`) and to the recovery public key (`RecoveryWrap`). Granting therefore needs the desk
private key in hand, from one of two keyrings:
- `UnlockedKeys` (portal.vault.personal): a member's unlocked session, for supervisors in the UI;
- `RecoveryKeyring`: the offline recovery key, for `manage.py grant_desk` and disaster recovery.

Every state change here is one function, so the audit call goes in one place: each writes its
entry (`audit.record`) inside its own transaction, last, so the change and its entry commit or
roll back together. A change made with the recovery key also records RECOVERY_KEY_USED.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import Action, record
from audit.record import SYSTEM, Actor
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
    from partners.models import Organization
    from portal.models import User
    from portal.vault.personal import UnlockedKeys

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


# --- Audit helpers --------------------------------------------------------------------------------


def keyring_actor(keyring: Keyring, actor: Actor | None = None) -> Actor:
    """Who a change made with `keyring` is attributed to: `actor` when given, else the member
    whose unlocked keys these are, else "system" (the recovery key has no user)."""
    if actor is not None:
        return actor
    return getattr(keyring, "user", None) or SYSTEM


def keyring_kind(keyring: Keyring) -> str:
    """For audit details: which kind of keyring opened the desk key."""
    return "recovery" if isinstance(keyring, RecoveryKeyring) else "member"


def record_recovery_use(keyring: Keyring, *, actor: Actor, desk: Desk, purpose: str) -> None:
    """RECOVERY_KEY_USED if `keyring` is the recovery key; call inside the change's transaction."""
    if isinstance(keyring, RecoveryKeyring):
        record(Action.RECOVERY_KEY_USED, actor=actor, target=desk, purpose=purpose)


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
def initialize(*, actor: Actor = SYSTEM) -> PrivateKey:
    """Create the recovery keypair and the triage desk. Returns the recovery private key, which
    the caller shows once and which is never stored. Audit: DESK_CREATED (triage), then
    VAULT_INITIALIZED."""
    if is_initialized():
        raise AlreadyInitialized("The vault is already initialised; its recovery key exists.")
    recovery_key = PrivateKey.generate()
    try:
        # The unique version makes a concurrent second initialisation fail here, not later.
        with transaction.atomic():
            stored = RecoveryKey.objects.create(
                version=RECOVERY_VERSION, public_key=recovery_key.public_bytes()
            )
    except IntegrityError:
        raise AlreadyInitialized(
            "The vault is already initialised; its recovery key exists."
        ) from None
    desk = _create_desk(TRIAGE_SLUG, organization=None, actor=actor)
    record(
        Action.VAULT_INITIALIZED,
        actor=actor,
        target=stored,
        recovery_version=stored.version,
        triage_desk=desk.pk,
    )
    return recovery_key


def _create_desk(slug: str, organization: Organization | None, *, actor: Actor) -> Desk:
    desk_key = PrivateKey.generate()
    desk = Desk.objects.create(
        slug=slug, organization=organization, key_version=1, public_key=desk_key.public_bytes()
    )
    wrap_to_recovery(desk, 1, desk_key)
    record(
        Action.DESK_CREATED,
        actor=actor,
        target=desk,
        slug=slug,
        organization=organization.pk if organization else None,
        version=1,
    )
    return desk


@transaction.atomic
def create_organization_desk(organization: Organization, *, actor: Actor = SYSTEM) -> Desk:
    """A partner organization's desk, its key wrapped to the recovery key. Audit: DESK_CREATED."""
    if not is_initialized():
        raise NotInitialized("The vault is not initialised: run `manage.py vault_init` first.")
    if organization.slug == TRIAGE_SLUG:
        raise ValueError("'triage' is the task force's desk and cannot name an organization.")
    if Desk.objects.filter(slug=organization.slug).exists():
        # Possible after a rename: desks keep their first slug, which every wrap is bound to.
        raise ValueError(f"A desk named {organization.slug!r} exists already; choose another slug.")
    return _create_desk(organization.slug, organization, actor=actor)


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
def grant_desk(
    desk: Desk, to_user: User, keyring: Keyring, *, actor: Actor | None = None
) -> list[int]:
    """Wrap the desk key (every live version the keyring opens) to `to_user`'s personal key.

    The current version is required; older ones (a rotation in progress) are granted when the
    keyring holds them. Returns the versions granted. `actor` defaults to the keyring's member,
    or "system" for the recovery key. Audit: DESK_GRANTED (and RECOVERY_KEY_USED).
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
    actor = keyring_actor(keyring, actor)
    record_recovery_use(keyring, actor=actor, desk=desk, purpose="grant_desk")
    record(
        Action.DESK_GRANTED,
        actor=actor,
        target=to_user,
        desk=desk.slug,
        versions=granted,
        using=keyring_kind(keyring),
    )
    return granted


def grant_desk_from_session(
    desk: Desk, to_user: User, unlocked: UnlockedKeys, *, actor: Actor | None = None
) -> None:
    """A member (a supervisor, in the UI) passes on the desk key from their unlocked session.

    Audited as done by `actor`, by default the member whose session it is."""
    grant_desk(desk, to_user, unlocked, actor=actor)


def grant_desk_with_recovery(
    desk: Desk, to_user: User, recovery_key: PrivateKey, *, actor: Actor = SYSTEM
) -> None:
    """Audit: RECOVERY_KEY_USED and DESK_GRANTED, by `actor` (an operator: "system")."""
    grant_desk(desk, to_user, RecoveryKeyring(recovery_key), actor=actor)


@transaction.atomic
def revoke_desk(desk: Desk, user: User, *, actor: Actor = SYSTEM) -> int:
    """Delete the user's wraps of every version of the desk key. Returns how many.

    Revoking stops future reads from the server; it cannot take back what the member already
    read. After a suspected compromise, also rotate the desk key. Audit: DESK_REVOKED, when
    there was something to revoke.
    """
    versions = sorted(
        DeskGrant.objects.filter(desk=desk, user=user).values_list("key_version", flat=True)
    )
    deleted, _ = DeskGrant.objects.filter(desk=desk, user=user).delete()
    if deleted:
        record(Action.DESK_REVOKED, actor=actor, target=user, desk=desk.slug, versions=versions)
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
