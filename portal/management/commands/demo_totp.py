"""Print a demo account's current TOTP code, so the demo needs no phone. DEBUG only."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from portal.accounts.models import TOTPDevice
from portal.management.commands.bootstrap_demo import DEMO_STAFF


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", choices=[username for username, _, _ in DEMO_STAFF])

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG on.")
        device = TOTPDevice.objects.filter(user__username=options["username"]).first()
        if device is None:
            raise CommandError("Run bootstrap_demo first.")
        totp = TOTP(device.seed(), device.STEP, 0, device.DIGITS, 0)
        totp.time = time.time()
        self.stdout.write(f"{totp.token():06d}")
