"""Idempotent demo data for `make run`. Refused unless DEBUG is on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from portal.roles import Role

DEMO_PASSWORD = "tip-portal-demo"  # noqa: S105 - demo logins only exist when DEBUG is on


class Command(BaseCommand):
    help = "Create demo logins for local use (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("bootstrap_demo creates known logins and only runs with DEBUG on.")
        admin, created = User.objects.get_or_create(
            username="demo-admin",
            defaults={"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write("Demo logins (development only):")
        self.stdout.write(f"  demo-admin / {DEMO_PASSWORD}  (role: admin)")
