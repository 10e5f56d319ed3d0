"""`manage.py rotate_desk_key DESK [--recovery-key-file FILE | --as-user USERNAME]
[--batch-size N]`: a new desk keypair, every data key re-wrapped to it, no downtime.

The old private key is needed to re-wrap: from the recovery key, or from a member's personal key
(password read from stdin). Interrupted? Run it again: it resumes instead of starting over.

Audited as DESK_KEY_ROTATED when the rotation starts and when it finishes. With the recovery key
the actor is "system" and RECOVERY_KEY_USED is recorded too; with --as-user the actor is that
member, whose password unlocked the old key.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import vault
from portal.vault.cli import find_desk, find_user, read_recovery_key
from portal.vault.desks import Keyring, keyring_actor
from portal.vault.rotation import DEFAULT_BATCH_SIZE


class Command(BaseCommand):
    help = "Rotate a desk key and re-wrap its data keys in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("desk", help="'triage' or a partner organization's slug")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--recovery-key-file", metavar="FILE", help='"-" reads stdin')
        source.add_argument(
            "--as-user", metavar="USERNAME", help="a member of the desk; password from stdin"
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        desk = find_desk(options["desk"])
        keyring = self._keyring(options)
        try:
            report = vault.rotate_desk_key(
                desk,
                keyring,
                batch_size=options["batch_size"],
                actor=keyring_actor(keyring),  # "system" for the recovery key, else the member
            )
        except vault.NoDeskAccess:
            raise CommandError(
                f"That key does not open every live version of the {desk.slug} desk key."
            ) from None
        except vault.DecryptionFailed as exc:
            raise CommandError(f"Stopped: {exc} Investigate before running again.") from None
        verb = "Rotated" if report.started else "Resumed the rotation of"
        self.stdout.write(
            f"{verb} the {report.desk} desk key: now version {report.version}; "
            f"{report.regranted} member(s) re-granted, {report.rewrapped} data key(s) re-wrapped, "
            f"retired version(s): {', '.join(map(str, report.retired_versions)) or 'none'}."
        )

    def _keyring(self, options: dict[str, Any]) -> Keyring:
        if options["recovery_key_file"]:
            try:
                return vault.RecoveryKeyring(read_recovery_key(options["recovery_key_file"]))
            except vault.VaultError as exc:
                raise CommandError(str(exc)) from None
        user = find_user(options["as_user"])
        password = (
            getpass.getpass(f"Password of {user.username}: ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n")
        )
        try:
            return vault.unlock(user, password)
        except vault.WrongPassword:
            raise CommandError("That password does not unlock this account's key.") from None
