"""Shared pieces of the vault's management commands: lookups that fail with a clear message.

Imported by the commands only (it needs the app registry ready).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from portal.models import User
from portal.vault import keys
from portal.vault.desks import get_desk
from portal.vault.errors import UnknownDesk, WrongRecoveryKey
from portal.vault.keys import PrivateKey
from portal.vault.models import Desk


def read_recovery_key(path: str) -> PrivateKey:
    """The recovery key from a file, or from stdin when `path` is "-"."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise CommandError(f"Cannot read the recovery key file: {exc.strerror}.") from None
    try:
        return keys.parse_recovery_key(text.strip())
    except WrongRecoveryKey as exc:
        raise CommandError(str(exc)) from None


def find_desk(slug: str) -> Desk:
    try:
        return get_desk(slug)
    except UnknownDesk as exc:
        raise CommandError(f"{exc} Desks: 'triage' and partner organizations' slugs.") from None


def find_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"There is no account {username!r}.") from None
