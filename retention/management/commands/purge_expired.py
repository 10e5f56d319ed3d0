"""`manage.py purge_expired [--dry-run]`: purge every tip past its retention date, not held.

Progress goes to a terminal only; the last line is always `purged N, held M, postponed K`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from retention.actions import do_purge_expired


class Command(BaseCommand):
    help = "Purge tips past their retention date (crypto-shred, delete, keep a tombstone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )
        parser.add_argument("--batch", type=int, default=settings.RETENTION_PURGE_BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        on_terminal = self.stdout.isatty()

        def progress(seen: int) -> None:
            if on_terminal:
                self.stderr.write(f"\rlooked at {seen} tips", ending="")

        summary = do_purge_expired(dry_run=dry_run, batch=options["batch"], progress=progress)
        if on_terminal:
            self.stderr.write("")
        if dry_run:
            for code in summary.would_purge:
                self.stdout.write(f"would purge {code}")
            self.stdout.write(
                f"purged 0, held {summary.held}, postponed {summary.postponed}"
                f" (dry run: {len(summary.would_purge)} would be purged)"
            )
            return
        self.stdout.write(summary.line())
