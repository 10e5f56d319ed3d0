"""`manage.py grant_desk USERNAME DESK --recovery-key-file FILE`: give a member a desk key.

The recovery key opens the desk key, which is then wrapped to the member's personal public key.
Use it for the first members of a desk and when no member can grant (supervisors grant from
their session in the web UI otherwise). FILE may be "-" to read the key from stdin.
Audited (actor "system") as RECOVERY_KEY_USED and DESK_GRANTED, in the grant's transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import vault
from portal.vault.cli import find_desk, find_user, read_recovery_key


class Command(BaseCommand):
    help = "Grant a member a desk key (triage or an organization's), using the recovery key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("desk", help="'triage' or a partner organization's slug")
        parser.add_argument("--recovery-key-file", required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        desk = find_desk(options["desk"])
        recovery_key = read_recovery_key(options["recovery_key_file"])
        try:
            vault.grant_desk_with_recovery(desk, user, recovery_key, actor="system")
        except (vault.NotEligible, vault.NoPersonalKey, vault.WrongRecoveryKey) as exc:
            raise CommandError(str(exc)) from None
        except (vault.NoDeskAccess, vault.DecryptionFailed):
            raise CommandError(
                f"The recovery key does not open the {desk.slug} desk key (damaged wrap?)."
            ) from None
        self.stdout.write(f"{user.username} now holds the {desk.slug} desk key.")
