"""`manage.py audit_checkpoint`: sign a checkpoint now (the beat task does it every 5 minutes).

`--show-key` prints the verifier key that outside tools need to check the checkpoints;
`--generate-key` prints a fresh random AUDIT_SIGNING_KEY and its verifier key, storing nothing.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import Checkpoint
from audit.notary import CheckpointRefusedError, write_checkpoint
from audit.signing import Signer, audit_signer, check_key_name, generate_secret, seed_from_secret


class Command(BaseCommand):
    help = "Sign an audit checkpoint if the log grew, or print the signing key's verifier key."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--show-key", action="store_true", help="print the verifier key")
        group.add_argument(
            "--generate-key", action="store_true", help="print a new random signing key"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show_key"]:
            self.stdout.write(audit_signer().verifier.vkey)
            return
        if options["generate_key"]:
            secret = generate_secret()
            name = check_key_name(settings.AUDIT_CHECKPOINT_ORIGIN)
            signer = Signer(name, Ed25519PrivateKey.from_private_bytes(seed_from_secret(secret)))
            self.stdout.write(f"AUDIT_SIGNING_KEY={secret}")
            self.stdout.write(f"verifier key: {signer.verifier.vkey}")
            return
        try:
            written = write_checkpoint()
        except CheckpointRefusedError as exc:
            raise CommandError(f"checkpoint refused: {exc}", returncode=1) from None
        latest = Checkpoint.objects.order_by("-size").first()
        if latest is None:
            self.stdout.write("the audit log is empty: nothing to sign")
        elif written:
            self.stdout.write(latest.note)
        else:
            self.stdout.write(f"no new entries since checkpoint {latest.size}")
