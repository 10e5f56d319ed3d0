"""Desk key rotation without downtime.

1. `start_rotation`: a new keypair becomes the desk's current version; it is wrapped to the
   recovery key and to every member who holds the current version. From this commit on, new
   records are wrapped to the new version; old wraps still open with the old grants.
2. `rewrap_batch`, repeated: data keys still wrapped to an older version are unwrapped with the
   old private key (from the keyring: a member's unlocked session or the recovery key) and
   wrapped to the new public key, a batch per transaction. Content is never re-encrypted (a
   32-byte key per record is touched), and rows are claimed with SKIP LOCKED on PostgreSQL so
   two runners do not collide.
3. `finish_rotation`: member grants of versions no data key uses any more are deleted. The
   recovery wraps of old versions stay: a record written by a request that read the desk just
   before the rotation committed can still be re-wrapped by a later run.

`rotate_desk_key` runs all three, and resumes an interrupted rotation instead of starting another.

Audit: `start_rotation` records DESK_KEY_ROTATED (phase "started") and `finish_rotation`
DESK_KEY_ROTATED (phase "finished", with the versions retired), each in its own transaction. The
batches in between record nothing of their own: they only move data keys to the version the
"started" entry announced. RECOVERY_KEY_USED is recorded with the start, or with the finish of a
resumed rotation, when the recovery key is the keyring.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit import Action, record
from audit.record import SYSTEM, Actor
from portal.vault import keys
from portal.vault.desks import (
    Keyring,
    datakey_info,
    grant_info,
    keyring_actor,
    keyring_kind,
    record_recovery_use,
    wrap_to_recovery,
)
from portal.vault.keys import PrivateKey
from portal.vault.models import Desk, DeskGrant, PersonalKey, WrappedKey

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class RotationReport:
    desk: str
    version: int
    started: bool  # False: an interrupted rotation was resumed
    regranted: int
    rewrapped: int
    retired_versions: list[int]


def pending(desk: Desk) -> int:
    """Data keys still wrapped to an older version of the desk key."""
    return WrappedKey.objects.filter(desk=desk, key_version__lt=desk.key_version).count()


@transaction.atomic
def start_rotation(desk: Desk, keyring: Keyring, *, actor: Actor | None = None) -> tuple[int, int]:
    """Make a new key version current. Returns (new version, members re-granted).

    Refused (NoDeskAccess) unless the keyring opens the current version: otherwise the data keys
    wrapped to it could never be moved to the new one. `actor` defaults to the keyring's member,
    or "system" for the recovery key. Audit: DESK_KEY_ROTATED (and RECOVERY_KEY_USED).
    """
    locked = Desk.objects.select_for_update().get(pk=desk.pk)
    old_version = locked.key_version
    keyring.desk_private_key(locked, old_version)
    new_key, new_version = PrivateKey.generate(), old_version + 1
    wrap_to_recovery(locked, new_version, new_key)
    holders = DeskGrant.objects.filter(desk=locked, key_version=old_version).values_list(
        "user_id", flat=True
    )
    personal_keys = list(PersonalKey.objects.filter(user_id__in=holders))
    DeskGrant.objects.bulk_create(
        DeskGrant(
            desk=locked,
            user_id=personal.user_id,
            key_version=new_version,
            wrapped_private_key=keys.wrap(
                new_key.private_bytes(),
                bytes(personal.public_key),
                grant_info(locked, new_version, personal.user_id),
            ),
        )
        for personal in personal_keys
    )
    locked.key_version, locked.public_key = new_version, new_key.public_bytes()
    locked.updated_at = timezone.now()
    locked.save(update_fields=["key_version", "public_key", "updated_at"])
    desk.key_version, desk.public_key = locked.key_version, locked.public_key
    actor = keyring_actor(keyring, actor)
    record_recovery_use(keyring, actor=actor, desk=locked, purpose="rotate_desk_key")
    record(
        Action.DESK_KEY_ROTATED,
        actor=actor,
        target=locked,
        phase="started",
        from_version=old_version,
        version=new_version,
        regranted=len(personal_keys),
        using=keyring_kind(keyring),
    )
    return new_version, len(personal_keys)


@transaction.atomic
def rewrap_batch(desk: Desk, keyring: Keyring, *, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Move up to `batch_size` data keys from older versions to the current one. Returns how
    many; 0 when done. A wrap that does not open raises DecryptionFailed naming the record."""
    current = Desk.objects.get(pk=desk.pk)
    rows = list(
        WrappedKey.objects.select_for_update(skip_locked=True)
        .filter(desk=current, key_version__lt=current.key_version)
        .order_by("pk")[:batch_size]
    )
    for row in rows:
        old_key = keyring.desk_private_key(current, row.key_version)
        data_key = keys.unwrap(
            row.wrapped_key,
            old_key,
            datakey_info(current, row.key_version, row.record_type, row.record_id),
        )
        row.wrapped_key = keys.wrap(
            data_key,
            bytes(current.public_key),
            datakey_info(current, current.key_version, row.record_type, row.record_id),
        )
        row.key_version = current.key_version
    WrappedKey.objects.bulk_update(rows, ["wrapped_key", "key_version"])
    return len(rows)


@transaction.atomic
def finish_rotation(
    desk: Desk,
    *,
    actor: Actor = SYSTEM,
    rewrapped: int = 0,
    resumed_with: Keyring | None = None,
) -> list[int]:
    """Delete member grants of old versions that no data key uses. Returns the versions retired.

    `rewrapped` (data keys moved by this run) goes into the entry; `resumed_with` is the keyring
    that resumed an interrupted rotation, whose use the start did not record. Audit:
    DESK_KEY_ROTATED (phase "finished"; there is no separate "retired" action), and
    RECOVERY_KEY_USED when a rotation was resumed with the recovery key.
    """
    locked = Desk.objects.select_for_update().get(pk=desk.pk)
    in_use = set(
        WrappedKey.objects.filter(desk=locked, key_version__lt=locked.key_version)
        .values_list("key_version", flat=True)
        .distinct()
    )
    granted = set(
        DeskGrant.objects.filter(desk=locked, key_version__lt=locked.key_version)
        .values_list("key_version", flat=True)
        .distinct()
    )
    retired = sorted(granted - in_use)
    DeskGrant.objects.filter(desk=locked, key_version__in=retired).delete()
    if resumed_with is not None and rewrapped:
        record_recovery_use(resumed_with, actor=actor, desk=locked, purpose="rotate_desk_key")
    record(
        Action.DESK_KEY_ROTATED,
        actor=actor,
        target=locked,
        phase="finished",
        version=locked.key_version,
        rewrapped=rewrapped,
        retired_versions=retired,
        versions_in_use=sorted(in_use),
    )
    return retired


def rotate_desk_key(
    desk: Desk,
    keyring: Keyring,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    actor: Actor | None = None,
) -> RotationReport:
    """Rotate (or resume an interrupted rotation), re-wrap everything, retire old grants.

    `actor` defaults to the keyring's member, or "system" for the recovery key."""
    desk = Desk.objects.get(pk=desk.pk)
    actor = keyring_actor(keyring, actor)
    started, regranted = False, 0
    if pending(desk) == 0:
        _version, regranted = start_rotation(desk, keyring, actor=actor)
        started = True
    rewrapped = 0
    while moved := rewrap_batch(desk, keyring, batch_size=batch_size):
        rewrapped += moved
    retired = finish_rotation(
        desk,
        actor=actor,
        rewrapped=rewrapped,
        resumed_with=None if started else keyring,
    )
    return RotationReport(
        desk=desk.slug,
        version=desk.key_version,
        started=started,
        regranted=regranted,
        rewrapped=rewrapped,
        retired_versions=retired,
    )
