"""`manage.py vault_init [--recovery-key-out FILE]`: the recovery key and the triage desk.

The recovery private key is shown once (printed, or written to FILE with mode 0600) and never
stored. Refuses to run twice: a second recovery key would not open the first one's desks.
Audited (actor "system") as DESK_CREATED and VAULT_INITIALIZED, in the transaction creating them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal import vault
from portal.vault import keys


class Command(BaseCommand):
    help = "Create the vault's recovery key and the triage desk (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recovery-key-out",
            metavar="FILE",
            help="write the recovery key to FILE (created with mode 0600, never overwritten) "
            "instead of printing it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["recovery_key_out"]
        if vault.is_initialized():
            raise CommandError(
                "The vault is already initialised. Its recovery key was shown when it was; "
                "vault_init never makes a second one."
            )
        target = Path(out) if out else None
        written = False
        try:
            # The file is written inside the transaction: if it cannot be written, no vault
            # exists without its recovery key; if the commit fails, the file is removed.
            with transaction.atomic():
                recovery_key = vault.initialize(actor="system")
                text = keys.format_recovery_key(recovery_key)
                if target is not None:
                    _write_new_file(target, text + "\n")
                    written = True
        except vault.AlreadyInitialized as exc:
            raise CommandError(str(exc)) from None
        except BaseException:
            if written and target is not None:
                target.unlink(missing_ok=True)
            raise
        desk = vault.triage_desk()
        self.stdout.write(f"Vault initialised: triage desk (key {desk.key_version}) created.")
        if target is not None:
            self.stdout.write(f"Recovery key written to {target} (mode 0600).")
        else:
            self.stdout.write("Recovery key (shown once; it is not stored anywhere):\n")
            self.stdout.write(f"    {text}\n")
        self.stdout.write(
            "Keep it offline (paper in a safe, or an encrypted drive): it restores desk access "
            "when no member can, and it opens every tip. See docs/keys.md."
        )


def _write_new_file(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(
            f"{path} already exists. Move it away first: it may be another vault's recovery key."
        ) from None
    except OSError as exc:
        raise CommandError(f"Cannot create {path}: {exc.strerror}.") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
