"""`manage.py backup --out DIR`: the database, the encrypted storage and the audit checkpoint
file, with a manifest of sizes and SHA-256 checksums (portal/backups.py). Never any secret."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import backups


class Command(BaseCommand):
    help = "Write a backup (database, attachment storage, checkpoint file, manifest) into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = progress_writer(self, options["verbosity"])
        try:
            summary = backups.write_backup(options["out"], progress)
        except backups.BackupError as exc:
            raise CommandError(f"backup refused: {exc}", returncode=1) from None
        self.stdout.write(summary.line("backup written to"))


def progress_writer(command: BaseCommand, verbosity: int) -> backups.Progress:
    """Progress lines on stderr when someone watches (a terminal) or asks (--verbosity 2)."""
    if verbosity < 2 and not sys.stderr.isatty():
        return lambda _line: None
    return command.stderr.write
