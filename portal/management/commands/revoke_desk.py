"""`manage.py revoke_desk USERNAME DESK`: delete a member's wraps of a desk key.

This stops the server from opening the desk for them. It cannot take back what they already
read; after a suspected compromise, also run `rotate_desk_key DESK`. Audited (actor "system")
as DESK_REVOKED when there was a grant to delete.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal import vault
from portal.vault.cli import find_desk, find_user


class Command(BaseCommand):
    help = "Revoke a member's access to a desk key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("desk", help="'triage' or a partner organization's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        desk = find_desk(options["desk"])
        if vault.revoke_desk(desk, user, actor="system"):
            self.stdout.write(f"{user.username} no longer holds the {desk.slug} desk key.")
        else:
            self.stdout.write(f"{user.username} did not hold the {desk.slug} desk key.")
