"""`manage.py stream_audit`: ship the audit entries not yet sent to AUDIT_STREAM, from the
persisted cursor (audit/stream.py). Beat does the same every AUDIT_STREAM_INTERVAL seconds;
run it by hand after an outage, or from cron where there is no beat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import stream


class Command(BaseCommand):
    help = "Send the audit entries after the stream cursor to AUDIT_STREAM (file or syslog)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=stream.DEFAULT_BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        shipped = stream.ship(batch_size=max(1, options["batch_size"]))
        if shipped is None:
            self.stdout.write("AUDIT_STREAM is not set: nothing to ship")
            return
        line = (
            f"shipped {shipped.count} entries to {shipped.target}, cursor at {shipped.cursor}, "
            f"{shipped.waiting} waiting"
        )
        if shipped.problem:
            raise CommandError(f"{line}: {shipped.problem}", returncode=1)
        self.stdout.write(line)
