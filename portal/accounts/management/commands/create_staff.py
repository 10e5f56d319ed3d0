"""`manage.py create_staff USERNAME --role ROLE [--org SLUG]`; password from stdin.

Prints the otpauth:// URI for the authenticator app on stdout.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Organization
from portal.accounts import actions
from portal.models import User
from portal.roles import Role


class Command(BaseCommand):
    help = "Create a staff account; the password is read from standard input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", help="partner organization slug (liaisons only)")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account named {username!r} already exists.")
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"No partner organization with slug {options['org']!r}.")
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("Give the password on standard input.")
        try:
            _, uri = actions.do_create_staff(
                username,
                role=options["role"],
                password=password,
                organization=organization,
                email=options["email"],
                acting_user=None,
            )
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(uri)
