"""The vault's tables: public keys and wrapped keys only. No private key is ever stored in the
clear: each sits wrapped (HPKE) to another public key or encrypted under a password-derived key.

Registered with the `portal` app (imported by portal/models.py); migrations in portal/migrations.
Rows change only through the functions of portal/vault (desks, personal, records, rotation).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TRIAGE_SLUG = "triage"


class RecoveryKey(models.Model):
    """The recovery public key. Its private half is shown once by `vault_init`, never stored."""

    version = models.PositiveSmallIntegerField(unique=True)
    public_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"recovery key v{self.version}"


class Desk(models.Model):
    """A keypair that opens a queue's records: the task force's triage desk, or one partner
    organization's. `public_key` is the current version's; new data keys are wrapped to it."""

    slug = models.SlugField(max_length=50, unique=True)
    organization = models.OneToOneField(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk",
    )
    key_version = models.PositiveIntegerField(default=1)
    public_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The triage desk belongs to the task force; every other desk to one organization.
            models.CheckConstraint(
                name="desk_triage_has_no_organization",
                condition=(Q(slug=TRIAGE_SLUG) & Q(organization__isnull=True))
                | (~Q(slug=TRIAGE_SLUG) & Q(organization__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"desk {self.slug}"

    @property
    def is_triage(self) -> bool:
        return self.slug == TRIAGE_SLUG


class DeskGrant(models.Model):
    """A member's access to one version of a desk key: the desk's private key wrapped to the
    member's personal public key. Deleting the row revokes access."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_grants"
    )
    key_version = models.PositiveIntegerField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "user", "key_version"], name="deskgrant_one_per_version"
            ),
        ]
        indexes = [
            # "Who holds this desk version": re-granting members during a rotation.
            models.Index(fields=["desk", "key_version"], name="deskgrant_desk_version"),
        ]

    def __str__(self) -> str:
        return f"{self.desk} v{self.key_version} for user {self.user_id}"


class RecoveryWrap(models.Model):
    """A desk private key (one version) wrapped to the recovery public key: what restores desk
    access when every member is gone. Kept for every version, so a data key wrapped to an old
    version during a rotation can always be re-wrapped."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="recovery_wraps")
    key_version = models.PositiveIntegerField()
    recovery_version = models.PositiveSmallIntegerField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "key_version"], name="recoverywrap_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"recovery wrap of {self.desk} v{self.key_version}"


class PersonalKey(models.Model):
    """A staff member's keypair. The private key is stored only encrypted under a key derived
    from the password (Argon2id, peppered); the salt and cost parameters live on the row so that
    they can be raised later (the next unlock re-encrypts under the current settings)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_key"
    )
    public_key = models.BinaryField()
    encrypted_private_key = models.BinaryField()
    salt = models.BinaryField()
    argon2_memory_kib = models.PositiveIntegerField()
    argon2_iterations = models.PositiveIntegerField()
    argon2_lanes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"personal key of user {self.user_id}"


class WrappedKey(models.Model):
    """A record's data key wrapped to one reader: a desk (at one key version) or, with `desk`
    empty, the record's tipster. Deleting a record's rows crypto-shreds its content."""

    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=100)
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="wrapped_keys"
    )
    # The desk key version the data key is wrapped to; 0 for the tipster's wrap.
    key_version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id", "desk", "key_version"],
                condition=Q(desk__isnull=False),
                name="wrappedkey_one_per_desk_version",
            ),
            models.UniqueConstraint(
                fields=["record_type", "record_id"],
                condition=Q(desk__isnull=True),
                name="wrappedkey_one_tipster_wrap",
            ),
            models.CheckConstraint(
                name="wrappedkey_version_matches_reader",
                condition=(Q(desk__isnull=True) & Q(key_version=0))
                | (Q(desk__isnull=False) & Q(key_version__gte=1)),
            ),
        ]
        indexes = [
            # Opening and shredding a record: all its wraps.
            models.Index(fields=["record_type", "record_id"], name="wrappedkey_record"),
            # Rotation: the next batch of wraps still on an old version of a desk key.
            models.Index(fields=["desk", "key_version"], name="wrappedkey_desk_version"),
        ]

    def __str__(self) -> str:
        reader = f"desk {self.desk_id} v{self.key_version}" if self.desk_id else "tipster"
        return f"data key of {self.record_type}:{self.record_id} for {reader}"
