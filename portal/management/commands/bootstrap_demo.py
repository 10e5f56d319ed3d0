"""Idempotent demo data for `make run`. Refused unless DEBUG is on.

Initialises the vault (demo recovery key in var/demo-recovery-key, 0600), creates two partner
organizations with their desks and a demo account of every role with desk access, and prints
the logins. `manage.py demo_totp USERNAME` prints a demo account's current code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal import vault
from portal.accounts import actions
from portal.models import User
from portal.roles import Role
from triage.models import Organization

DEMO_PASSWORD = "tip-portal-demo"  # noqa: S105 - demo logins only exist when DEBUG is on
DEMO_ORGANIZATIONS = [
    ("drop-in-center", "Northside Drop-in Center", "shelter,medical,counseling,basic_needs"),
    ("safe-housing", "Safe Housing Partners", "housing,employment,legal,language_access"),
]
DEMO_STAFF = [
    ("demo-investigator", Role.INVESTIGATOR, None),
    ("demo-supervisor", Role.SUPERVISOR, None),
    ("demo-liaison", Role.LIAISON, "drop-in-center"),
    ("demo-housing", Role.LIAISON, "safe-housing"),
    ("demo-admin", Role.ADMIN, None),
]


def recovery_key_path() -> Path:
    return settings.VAR_DIR / "demo-recovery-key"


class Command(BaseCommand):
    help = "Create demo organizations and logins of every role (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("bootstrap_demo creates known logins and only runs with DEBUG on.")
        key_file = recovery_key_path()
        if not vault.is_initialized():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            call_command("vault_init", recovery_key_out=str(key_file), stdout=self.stdout)
        for slug, name, services in DEMO_ORGANIZATIONS:
            if not Organization.objects.filter(slug=slug).exists():
                call_command("create_org", slug, name=name, services=services, stdout=self.stdout)
        for username, role, org_slug in DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                continue
            organization = Organization.objects.get(slug=org_slug) if org_slug else None
            actions.do_create_staff(
                username, role=role, password=DEMO_PASSWORD, organization=organization,
                acting_user=None,
            )  # fmt: skip
            desk = org_slug or ("triage" if role in (Role.INVESTIGATOR, Role.SUPERVISOR) else None)
            if desk:
                call_command(
                    "grant_desk",
                    username,
                    desk,
                    recovery_key_file=str(key_file),
                    stdout=self.stdout,
                )
        self.stdout.write("\nDemo logins (development only), password for all: " + DEMO_PASSWORD)
        for username, role, org_slug in DEMO_STAFF:
            where = f" at {org_slug}" if org_slug else ""
            self.stdout.write(f"  {username:<20} {role}{where}")
        self.stdout.write(
            "Second factor: `.venv/bin/python manage.py demo_totp USERNAME` prints the current "
            "code (demo only)."
        )
        self.stdout.write(f"Demo vault recovery key: {key_file}")
