"""`manage.py verify_audit`: exit 0 with a summary line when the audit log is intact.

Otherwise exit 1 and name the first bad sequence number. Run it in CI and nightly (the Celery
beat task `audit.tasks.verify_log` does the same), and alert on a non-zero exit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import DEFAULT_CHUNK, verify_log
from audit.events import Action
from audit.record import SYSTEM, record


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, indexed columns and signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-checkpoints",
            action="store_true",
            help="check every stored and filed checkpoint, not only the latest of each",
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK)
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not add an AUDIT_VERIFIED entry (e.g. on a read-only replica)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_log(
            all_checkpoints=options["all_checkpoints"], chunk_size=options["chunk_size"]
        )
        if not options["no_record"]:
            record(
                Action.AUDIT_VERIFIED,
                actor=SYSTEM,
                ok=report.ok,
                checked=report.checked,
                first_bad=report.first_bad,
                via="command",
            )
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())
