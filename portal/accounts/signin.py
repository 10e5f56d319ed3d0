"""The sign-in checks shared by the web flow and the API: password, then second factor.

Failures of either factor, for real or unknown usernames, count toward the same lockout and
produce the same message, so a response never says which factor was wrong or whether an
account exists.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from audit.events import Action
from audit.record import record
from portal.accounts import lockout
from portal.accounts.models import BackupCodeDevice, TOTPDevice
from portal.models import User

GENERIC_FAILURE = _("The sign-in details are not correct.")
LOCKED_OUT = _("Too many failed attempts. Try again later.")


class SignInError(Exception):
    def __init__(self, message: object = GENERIC_FAILURE) -> None:
        super().__init__(str(message))


class LockedOutError(SignInError):
    def __init__(self) -> None:
        super().__init__(LOCKED_OUT)


def _fail(username: str, user: User | None, factor: str) -> SignInError:
    """The reserved attempt stays as the failure; audit it (committed even though the caller's
    request fails) and say whether it locked the account."""
    locked_now = lockout.just_locked(username)
    with transaction.atomic():
        record(Action.LOGIN_FAILED, actor="anonymous", target=user, factor=factor)
        if locked_now:
            record(Action.ACCOUNT_LOCKED, actor="system", target=user)
    return LockedOutError() if locked_now else SignInError()


def check_password(request: HttpRequest | None, username: str, password: str) -> User:
    attempt = lockout.reserve(username)
    if attempt is None:
        raise LockedOutError
    user = authenticate(request, username=username, password=password)
    if user is None:
        known = User.objects.filter(username=username).first()
        raise _fail(username, known, "password")
    lockout.release(attempt)
    return user


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def check_second_factor(user: User, token: str) -> Device:
    """The device that accepted `token` (authenticator first, then a backup code)."""
    attempt = lockout.reserve(user.username)
    if attempt is None:
        raise LockedOutError
    token = token.strip()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and token.isdigit() and device.verify_token(token):
        lockout.release(attempt)
        return device
    backup = BackupCodeDevice.objects.filter(user=user).first()
    if backup is not None and not token.isdigit() and backup.verify_token(token):
        lockout.release(attempt)
        record(Action.BACKUP_CODE_USED, actor=user, target=user, remaining=backup.remaining())
        return backup
    raise _fail(user.username, user, "second_factor")


def succeeded(user: User, *, channel: str) -> None:
    lockout.clear(user.username)
    record(Action.LOGIN_SUCCEEDED, actor=user, target=user, channel=channel)
