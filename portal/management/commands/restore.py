"""`manage.py restore DIR`: check a backup's manifest, restore it into an empty database,
storage and checkpoint file, then verify the audit log (portal/backups.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import backups
from portal.management.commands.backup import progress_writer


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` into an empty database and storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the backup's directory")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = progress_writer(self, options["verbosity"])
        try:
            summary = backups.restore_backup(options["directory"], progress)
        except backups.BackupError as exc:
            raise CommandError(f"restore refused: {exc}", returncode=1) from None
        self.stdout.write(summary.line("restored from"))
        pending = backups.pending_migrations()
        if pending:
            self.stdout.write(f"{pending} migrations of this code are not applied: run migrate")
        report = io.StringIO()
        try:
            call_command("verify_audit", stdout=report)
        except CommandError as exc:
            raise CommandError(
                f"restored, but the audit log does not verify: {exc}", returncode=1
            ) from None
        self.stdout.write(report.getvalue().strip())
