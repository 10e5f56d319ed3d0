"""`manage.py export_audit [--from SEQ] [--to SEQ] [--out FILE]`: entries with their hashes and
the signed checkpoints of the range, as JSON lines (audit/export.py), for checking the chain
outside the portal with `python -m audit.offline_verify`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.events import Action
from audit.export import export_range, head_seq
from audit.record import SYSTEM, record


class Command(BaseCommand):
    help = "Export audit entries (and the checkpoints signed in that range) as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=int, default=1, help="first seq (1)")
        parser.add_argument("--to", dest="last", type=int, default=None, help="last seq (head)")
        parser.add_argument("--out", type=Path, default=None, help="a new file (default stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = max(options["first"], 1), options["last"]
        if last is not None and last < first:
            raise CommandError("--to must not be smaller than --from")
        last = head_seq() if last is None else min(last, head_seq())
        out: Path | None = options["out"]
        count = 0
        if out is None:
            for line in export_range(first, last):
                self.stdout.write(line)
                count += 1
        else:
            try:
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{out} exists: an export goes into a new file") from None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for line in export_range(first, last):
                    handle.write(line + "\n")
                    count += 1
        # Who took a copy of the log, and which part, is itself worth a line in it.
        record(Action.AUDIT_EXPORTED, actor=SYSTEM, first=first, last=last, via="command")
        if out is not None:
            self.stdout.write(f"exported entries {first}-{last} to {out} ({count} lines)")
