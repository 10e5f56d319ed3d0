"""`manage.py generate_secrets --out DIR`: every production secret, one file each.

The names are those settings reads with `env_secret` (SECRET_KEY, OTP_*, VAULT_*,
AUDIT_SIGNING_KEY); each file is named after its secret in lower case, mode 0600, in a
directory of mode 0700, and the `NAME_FILE=/path` lines to put in the environment are printed.
All or nothing: if any of the files already exists nothing is written, since overwriting a
secret makes everything sealed under the old one unreadable (docs/keys.md).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.signing import generate_secret as generate_audit_signing_key


def _random_key(nbytes: int) -> Callable[[], str]:
    # The same form settings' development profile generates: URL-safe base64, no newline.
    return lambda: secrets.token_urlsafe(nbytes)


# Kept in the order settings reads them; tests/portal/test_generate_secrets.py checks this list
# against every env_secret() call in portal/settings.py.
PRODUCTION_SECRETS: dict[str, Callable[[], str]] = {
    "SECRET_KEY": _random_key(50),
    "OTP_SEED_KEY": _random_key(32),
    "OTP_HASH_KEY": _random_key(32),
    "VAULT_PASSWORD_PEPPER": _random_key(32),
    "VAULT_RECEIPT_KEY": _random_key(32),
    "VAULT_INDEX_KEY": _random_key(32),
    # The base64 of a 32-byte Ed25519 seed, as `audit_checkpoint --generate-key` prints it.
    "AUDIT_SIGNING_KEY": generate_audit_signing_key,
}


class Command(BaseCommand):
    help = "Write every production secret to its own file (0600) under DIR; never overwrites."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", metavar="DIR", required=True, help="directory (made 0700)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["out"]).absolute()
        targets = {name: directory / name.lower() for name in PRODUCTION_SECRETS}
        existing = [str(path) for path in targets.values() if path.exists() or path.is_symlink()]
        if existing:
            raise CommandError(
                "Refusing to overwrite existing secrets (data sealed under them would be lost): "
                + ", ".join(existing)
                + ". Nothing was written."
            )
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)
        written: list[Path] = []
        try:
            for name, generate in PRODUCTION_SECRETS.items():
                _write_new_file(targets[name], generate() + "\n")
                written.append(targets[name])
        except BaseException:
            # All or nothing: a half-written set would be refused on the next run.
            for path in written:
                path.unlink(missing_ok=True)
            raise
        for name, path in targets.items():
            self.stdout.write(f"{name}_FILE={path}")


def _write_new_file(path: Path, text: str) -> None:
    # O_EXCL: a file that appeared since the check above is never overwritten.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise CommandError(f"Refusing to overwrite {path}.") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
