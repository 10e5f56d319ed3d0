"""Every change to a staff account, its second factors, sessions and tokens. Each is audited."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.events import Action
from audit.record import record
from partners.models import Organization
from portal import vault
from portal.accounts import secrets as otp_secrets
from portal.accounts.models import (
    ApiToken,
    BackupCode,
    BackupCodeDevice,
    Invitation,
    StaffSession,
    TOTPDevice,
)
from portal.models import User
from portal.outcomes import Invalid, NotYours
from portal.roles import Role, belongs_to_organization, is_role, role_may

BACKUP_CODE_COUNT = 10


class InvalidInvitationError(Exception):
    pass


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: object


def _check_role_and_org(role: str, organization: Organization | None) -> None:
    if not is_role(role):
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    if belongs_to_organization(role) != (organization is not None):
        raise ValueError("liaisons need an organization (--org); other roles have none")


@transaction.atomic
def do_create_staff(
    username: str,
    *,
    role: str,
    password: str,
    organization: Organization | None = None,
    email: str = "",
    acting_user: User | None,
) -> tuple[User, str]:
    """Create an account with its password, personal vault key and TOTP device.

    Returns the user and the otpauth:// URI to hand over out of band. Audit: ACCOUNT_CREATED.
    """
    _check_role_and_org(role, organization)
    user = User(username=username, role=role, organization=organization, email=email)
    validate_password(password, user)
    user.is_staff = user.is_superuser = role_may(role, "accounts.manage")
    user.set_password(password)
    user.save()
    vault.create_personal_key(user, password, actor=acting_user or "system")
    uri = _new_totp_device(user, confirmed=True)
    record(Action.ACCOUNT_CREATED, actor=acting_user or "system", target=user, role=role)
    return user, uri


def _new_totp_device(user: User, *, confirmed: bool) -> str:
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=confirmed)
    device.provision()
    device.save(update_fields=["encrypted_seed"])
    return device.config_url(settings.OTP_ISSUER)


@transaction.atomic
def do_start_enrollment(user: User) -> str:
    """An unconfirmed authenticator for a first sign-in; confirmed by its first code."""
    return _new_totp_device(user, confirmed=False)


@transaction.atomic
def do_confirm_enrollment(device: TOTPDevice, token: str) -> bool:
    """Audit: TOTP_ENROLLED."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(Action.TOTP_ENROLLED, actor=device.user, target=device.user)
    return True


@transaction.atomic
def do_issue_backup_codes(user: User) -> list[str]:
    """New single-use codes, replacing any old ones; shown once. Audit: BACKUP_CODES_ISSUED."""
    device, _ = BackupCodeDevice.objects.get_or_create(user=user, defaults={"name": "backup"})
    device.codes.all().delete()
    codes = [otp_secrets.random_code() for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, code_hash=otp_secrets.keyed_hash(otp_secrets.normalize_code(c)))
        for c in codes
    )
    record(Action.BACKUP_CODES_ISSUED, actor=user, target=user, count=len(codes))
    return codes


@transaction.atomic
def do_change_password(
    user: User, *, old_password: str, new_password: str, keep_session_key: str | None = None
) -> None:
    """Re-wraps the personal vault key under the new password and ends every other session
    and every API token of the account. Audit: PASSWORD_CHANGED."""
    validate_password(new_password, user)
    user.set_password(new_password)  # hash before the vault's audit row takes the append lock
    vault.change_password_key(user, old_password, new_password)
    user.save(update_fields=["password"])
    _end_sessions_and_tokens(user, keep_session_key=keep_session_key)
    record(Action.PASSWORD_CHANGED, actor=user, target=user)


def _end_sessions_and_tokens(user: User, *, keep_session_key: str | None = None) -> None:
    sessions = StaffSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    Session.objects.filter(
        session_key__in=list(sessions.values_list("session_key", flat=True))
    ).delete()
    sessions.delete()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def do_disable(user: User, *, acting_user: User) -> None:
    """Ends every session and token of the account at once, and any open invitation.
    Audit: ACCOUNT_DISABLED."""
    closed = Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
        expires_at=timezone.now()
    )
    if not user.is_active and not closed:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions_and_tokens(user)
    record(Action.ACCOUNT_DISABLED, actor=acting_user, target=user)


@transaction.atomic
def do_enable(user: User, *, acting_user: User) -> None:
    """Audit: ACCOUNT_ENABLED."""
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(Action.ACCOUNT_ENABLED, actor=acting_user, target=user)


@transaction.atomic
def do_reset_two_factor(user: User, *, acting_user: User) -> None:
    """Removes the authenticator and backup codes: the next sign-in enrolls again.

    Audit: TWO_FACTOR_RESET."""
    TOTPDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    _end_sessions_and_tokens(user)
    record(Action.TWO_FACTOR_RESET, actor=acting_user, target=user)


@transaction.atomic
def do_invite(
    username: str,
    *,
    role: str,
    email: str,
    organization: Organization | None,
    acting_user: User,
) -> tuple[User, str]:
    """An inactive account plus a one-time link token. Audit: INVITATION_SENT."""
    _check_role_and_org(role, organization)
    user = User(username=username, role=role, organization=organization, email=email)
    user.is_active = False
    user.set_unusable_password()
    user.save()
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        user=user, role=role, invited_by=acting_user, token_hash=otp_secrets.keyed_hash(token)
    )
    record(Action.INVITATION_SENT, actor=acting_user, target=user, role=role)
    return user, token


def find_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("user")
        .filter(token_hash=otp_secrets.keyed_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_open():
        raise InvalidInvitationError("This invitation link is not valid or has expired.")
    return invitation


@transaction.atomic
def do_accept_invitation(token: str, *, password: str) -> User:
    """Sets the password and creates the personal key; TOTP enrollment follows at first
    sign-in. Audit: INVITATION_ACCEPTED."""
    invitation = find_invitation(token)
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise InvalidInvitationError("This invitation link has already been used.")
    user = locked.user
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    vault.create_personal_key(user, password, actor=user)
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    record(Action.INVITATION_ACCEPTED, actor=user, target=user)
    return user


@transaction.atomic
def do_issue_token(user: User, unlocked: vault.UnlockedKeys) -> IssuedToken:
    """A bearer token whose secret also seals the personal vault key. Audit: TOKEN_ISSUED."""
    prefix = secrets.token_hex(6)
    # The random key that seals the personal vault key *is* the token's secret half.
    sealed, seal_key = vault.session.seal_personal_key(unlocked)
    secret = base64.urlsafe_b64encode(seal_key).decode().rstrip("=")
    expires_at = timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME)
    token = ApiToken.objects.create(
        user=user,
        prefix=prefix,
        secret_hash=otp_secrets.keyed_hash(secret),
        sealed_vault=sealed,
        expires_at=expires_at,
    )
    record(Action.TOKEN_ISSUED, actor=user, target=user, prefix=token.prefix)
    return IssuedToken(token=f"{prefix}.{secret}", expires_at=expires_at)


@transaction.atomic
def do_revoke_token(token: ApiToken, *, acting_user: User) -> None:
    """Audit: TOKEN_REVOKED."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        record(Action.TOKEN_REVOKED, actor=acting_user, target=token.user, prefix=token.prefix)


def remember_session(user: User, session_key: str, *, replaces: str | None = None) -> None:
    if replaces:
        StaffSession.objects.filter(session_key=replaces).delete()
    StaffSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def do_set_on_call(member: User, *, on_call: bool, email: str, acting_user: User) -> bool:
    """A supervisor puts a member on or off the on-call rota and sets the address alerts go
    to; True when something changed. Audit: ACCOUNT_UPDATED (what changed, never the address).
    """
    if not acting_user.may("accounts.on_call"):
        raise NotYours("Only supervisors manage the on-call rota.")
    email = email.strip()
    try:
        if email:
            validate_email(email)
    except ValidationError:
        raise Invalid("That is not an email address.", field="email") from None
    if on_call and not email:
        raise Invalid("Someone on call needs an address for the alerts.", field="email")
    changed = [
        name
        for name, value in (("on_call", on_call), ("email", email))
        if getattr(member, name) != value
    ]
    if not changed:
        return False
    member.on_call, member.email = on_call, email
    member.save(update_fields=changed)
    record(
        Action.ACCOUNT_UPDATED, actor=acting_user, target=member, changed=changed, on_call=on_call
    )
    return True


@transaction.atomic
def do_set_language(member: User, *, language: str, acting_user: User) -> bool:
    """A member picks the language of their own staff pages (blank: the browser's choice); True
    when it changed. Audit: ACCOUNT_UPDATED naming the field only."""
    if acting_user.pk != member.pk and not acting_user.may("accounts.manage"):
        raise NotYours("Only you choose the language of your staff pages.")
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid("Choose one of the languages offered.", field="language")
    if member.language == language:
        return False
    member.language = language
    member.save(update_fields=["language"])
    record(Action.ACCOUNT_UPDATED, actor=acting_user, target=member, field="language")
    return True
