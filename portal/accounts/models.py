from __future__ import annotations

import secrets
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from portal.accounts import secrets as otp_secrets
from portal.roles import Role


class TOTPDevice(ThrottlingMixin, Device):
    """An authenticator app. The seed is stored encrypted (stock django-otp keeps it in clear).

    Tokens are accepted for the current 30-second step and the one before it (drift tolerance of
    one step, for a code typed just as it rolled over), never twice (`last_t`).
    """

    STEP = 30
    DIGITS = 6

    encrypted_seed = models.BinaryField()
    last_t = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(default=timezone.now)

    def get_throttle_factor(self) -> int:
        return 1

    def provision(self) -> bytes:
        """Give a saved device a new random seed; returns the seed for the otpauth URI."""
        seed = secrets.token_bytes(20)
        self.encrypted_seed = otp_secrets.encrypt_seed(seed, device_id=self.pk)
        return seed

    def seed(self) -> bytes:
        return otp_secrets.decrypt_seed(bytes(self.encrypted_seed), device_id=self.pk)

    def config_url(self, issuer: str) -> str:
        label = quote(f"{issuer}:{self.user.get_username()}")
        query = urlencode(
            {
                "secret": otp_secrets.otpauth_seed(self.seed()),
                "issuer": issuer,
                "algorithm": "SHA1",
                "digits": self.DIGITS,
                "period": self.STEP,
            }
        )
        return f"otpauth://totp/{label}?{query}"

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(str(token).strip())
        except ValueError:
            value = -1  # counts as a failure below
        totp = TOTP(self.seed(), self.STEP, 0, self.DIGITS, 0)
        totp.time = time.time()
        for offset in (0, -1):
            candidate_t = totp.t() + offset
            totp.drift = offset
            if totp.token() != value:
                continue
            # Consume the step with a conditional update, never a full save: two requests
            # with the same code (or a failure saving a stale copy) cannot both get in.
            consumed = TOTPDevice.objects.filter(pk=self.pk, last_t__lt=candidate_t).update(
                last_t=candidate_t, throttling_failure_count=0, throttling_failure_timestamp=None
            )
            if consumed:
                self.last_t = candidate_t
                self.throttling_failure_count = 0
                return True
            break  # replay of a code already used
        TOTPDevice.objects.filter(pk=self.pk).update(
            throttling_failure_count=models.F("throttling_failure_count") + 1,
            throttling_failure_timestamp=timezone.now(),
        )
        self.refresh_from_db(fields=["throttling_failure_count", "throttling_failure_timestamp"])
        return False


class BackupCodeDevice(Device):
    """Single-use backup codes, stored only as keyed hashes."""

    def verify_token(self, token: object) -> bool:
        digest = otp_secrets.keyed_hash(otp_secrets.normalize_code(str(token)))
        # A conditional delete consumes the code atomically: two requests cannot both use it.
        used, _ = self.codes.filter(code_hash=digest).delete()
        return used > 0

    def remaining(self) -> int:
        return self.codes.count()


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="backupcode_unique"),
        ]

    def __str__(self) -> str:
        return f"backup code of device {self.device_id}"


class SignInFailure(models.Model):
    """A failed password or second-factor attempt, keyed by the username typed (never an IP)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Lockout check: failures for one username within the window.
            models.Index(fields=["username", "at"], name="signinfailure_user_at"),
        ]

    def __str__(self) -> str:
        return f"failure for {self.username} at {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token. The secret half is never stored: only its keyed hash, and the personal
    vault key sealed under it (so the token unlocks the vault for API calls and nothing else
    can)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    sealed_vault = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_live")]

    def __str__(self) -> str:
        return f"token {self.prefix} of user {self.user_id}"

    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class StaffSession(models.Model):
    """Which server-side sessions belong to whom, so disabling an account ends them at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


def default_invitation_expiry() -> object:
    return timezone.now() + timedelta(hours=72)


class Invitation(models.Model):
    """A one-time link an admin sends to a new staff member to set a password and enroll."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation of user {self.user_id}"

    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
