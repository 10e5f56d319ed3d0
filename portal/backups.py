"""Backups that restore: the database, the encrypted attachment storage and the audit checkpoint
file, with a manifest of checksums. `manage.py backup` and `manage.py restore` drive it.

What is in a backup is ciphertext and hashes: tip content, attachments and names are sealed to
desk keys, and receipts are stored only as keyed lookups. What is never in a backup are the
server secrets (`*_FILE` / var/secrets: the vault pepper and receipt key, the audit signing key,
...): without them a backup is unreadable, and with them a stolen backup would be readable, so
they are kept offline and separately (docs/operations.md).

Order of the copy, so that the pieces agree with each other:
1. the checkpoint file first: every checkpoint in it then covers only entries the database dump
   holds too (a checkpoint signed later than the dump would claim entries the dump lacks);
2. the database, as one consistent snapshot (`pg_dump` runs in one repeatable-read
   transaction; SQLite's online backup API copies a consistent image);
3. the storage last: every attachment row of the dump has its blob written before its row
   committed, so it is there; blobs written after the dump are harmless extras.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
STORAGE_DIR = "storage"
CHECKPOINT_COPY = "audit-checkpoints.log"
SQLITE_PAGES_PER_STEP = 1024  # restores copy in steps: nothing else writes the new file
HASH_CHUNK = 1024 * 1024

# The server secrets (`env_secret` in settings): none of them, nor their files, is ever copied.
SECRET_NAMES = (
    "SECRET_KEY",
    "OTP_SEED_KEY",
    "OTP_HASH_KEY",
    "VAULT_PASSWORD_PEPPER",
    "VAULT_RECEIPT_KEY",
    "VAULT_INDEX_KEY",
    "AUDIT_SIGNING_KEY",
)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that must not go on; the message says why."""


@dataclass
class Summary:
    directory: Path
    vendor: str
    database_bytes: int = 0
    storage_files: int = 0
    storage_bytes: int = 0
    checkpoint_file: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)

    def line(self, verb: str) -> str:
        checkpoint = "the checkpoint file" if self.checkpoint_file else "no checkpoint file"
        return (
            f"{verb} {self.directory}: {self.vendor} database ({self.database_bytes} bytes), "
            f"{self.storage_files} storage files ({self.storage_bytes} bytes), {checkpoint}"
        )


def _quiet(_line: str) -> None:
    return None


# --- Where things are ----------------------------------------------------------------------


def storage_root() -> Path:
    """The directory of the attachment storage (the `default` storage, STORAGE_ROOT)."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            "backups copy a file-system storage; back up this storage by its own means"
        )
    return Path(storage.location)


def checkpoint_path() -> Path | None:
    configured = settings.AUDIT_CHECKPOINT_FILE
    return Path(configured) if configured else None


def secret_paths() -> list[Path]:
    """Where secrets live: var/secrets and the file each `NAME_FILE` points at."""
    paths = [Path(settings.VAR_DIR) / "secrets"]
    for name in SECRET_NAMES:
        value = os.environ.get(f"{name}_FILE")
        if value:
            paths.append(Path(value))
    return [path.resolve() for path in paths]


def _refuse_secrets_inside(root: Path) -> None:
    resolved = root.resolve()
    for secret in secret_paths():
        if secret == resolved or resolved in secret.parents:
            raise BackupError(
                f"the storage directory {root} holds secrets ({secret}): "
                "secrets never go into a backup; keep them outside STORAGE_ROOT"
            )


def _files_under(root: Path) -> Iterator[Path]:
    """Regular files below `root`, sorted, symlinks not followed."""
    if not root.exists():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_private(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as reader, os.fdopen(fd, "wb") as writer:
        shutil.copyfileobj(reader, writer, HASH_CHUNK)


def _database_params() -> dict[str, str]:
    params = connection.settings_dict
    return {
        "name": str(params["NAME"]),
        "user": str(params.get("USER") or ""),
        "password": str(params.get("PASSWORD") or ""),
        "host": str(params.get("HOST") or ""),
        "port": str(params.get("PORT") or ""),
    }


def _pg_command(program: str, params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The client's connection arguments; the password only in its environment (PGPASSWORD),
    never on a command line that `ps` shows."""
    command = [program, "--dbname", params["name"]]
    if params["host"]:
        command += ["--host", params["host"]]
    if params["port"]:
        command += ["--port", params["port"]]
    if params["user"]:
        command += ["--username", params["user"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    env.pop("PGPASSWORD", None)
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    sslmode = connection.settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return command, env


def _run_client(command: list[str], env: dict[str, str], progress: Progress) -> None:
    """Run pg_dump / pg_restore, passing each line it writes to stderr on as progress."""
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed program, arguments from settings
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from None
    errors: list[str] = []
    for line in process.stderr or ():
        text = line.rstrip()
        if text:
            errors = [*errors[-19:], text]
            progress(text)
    if process.wait() != 0:
        raise BackupError(f"{command[0]} failed: " + " | ".join(errors[-5:]))


def _sqlite_progress(progress: Progress, what: str) -> Callable[[int, int, int], None]:
    def report(_status: int, remaining: int, total: int) -> None:
        progress(f"{what}: {total - remaining}/{total} pages")

    return report


# --- Backup --------------------------------------------------------------------------------


def _prepare_empty_directory(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise BackupError(f"{out} exists and is not a directory")
        if any(out.iterdir()):
            raise BackupError(f"{out} is not empty: a backup goes into a new or empty directory")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)


def _dump_database(out: Path, progress: Progress) -> Path:
    if connection.vendor == "sqlite":
        target = out / SQLITE_DUMP
        connection.ensure_connection()
        source = connection.connection
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        copy = sqlite3.connect(target)
        try:
            # One step: a copy in several steps starts over whenever another connection (the
            # running portal) writes in between, and might never finish on a busy site.
            source.backup(copy, pages=-1, progress=_sqlite_progress(progress, "database"))
            # A self-contained file: no write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return target
    if connection.vendor == "postgresql":
        target = out / POSTGRES_DUMP
        command, env = _pg_command("pg_dump", _database_params())
        command += ["--format=custom", "--no-owner", "--no-privileges", "--verbose"]
        command += ["--file", str(target)]
        _run_client(command, env, progress)
        target.chmod(0o600)
        return target
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def applied_migrations() -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    return sorted([app, name] for app, name in recorder.applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    """The migrations this code has on disk."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def pending_migrations() -> int:
    """How many of this code's migrations the (restored) database has not applied."""
    applied = {tuple(pair) for pair in applied_migrations()}
    return len(known_migrations() - applied)


def write_backup(out: Path, progress: Progress = _quiet) -> Summary:
    """Write a backup into `out` (new or empty); returns what was written."""
    root = storage_root()
    _refuse_secrets_inside(root)
    _prepare_empty_directory(out)
    summary = Summary(directory=out, vendor=connection.vendor)
    created_at = timezone.now()

    checkpoints = checkpoint_path()
    if checkpoints is not None and checkpoints.exists():
        _copy_private(checkpoints, out / CHECKPOINT_COPY)
        summary.checkpoint_file = True
        progress(f"checkpoint file: {checkpoints.stat().st_size} bytes")

    dump = _dump_database(out, progress)
    summary.database_bytes = dump.stat().st_size
    progress(f"database: {summary.database_bytes} bytes")

    for source in _files_under(root):
        relative = source.relative_to(root)
        _copy_private(source, out / STORAGE_DIR / relative)
        summary.storage_files += 1
        summary.storage_bytes += source.stat().st_size
        progress(f"storage: {relative}")

    for path in _files_under(out):
        summary.files.append(
            {
                "path": path.relative_to(out).as_posix(),
                "size": path.stat().st_size,
                "sha256": sha256_of(path),
            }
        )
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "database": {"vendor": connection.vendor, "file": dump.name},
        "migrations": applied_migrations(),
        "storage": {"files": summary.storage_files, "bytes": summary.storage_bytes},
        "checkpoint_file": CHECKPOINT_COPY if summary.checkpoint_file else None,
        "files": summary.files,
    }
    fd = os.open(out / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
    return summary


# --- Restore -------------------------------------------------------------------------------


def _listed_path(source: Path, relative: object) -> Path:
    if not isinstance(relative, str) or not relative:
        raise BackupError(f"the manifest lists a file without a path: {relative!r}")
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise BackupError(f"the manifest lists a path outside the backup: {relative}")
    return source / candidate


def verify_backup(source: Path, progress: Progress = _quiet) -> dict[str, Any]:
    """The manifest, after every listed file's size and SHA-256 matched; BackupError otherwise."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{MANIFEST} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT_VERSION}")
    for entry in manifest.get("files", []):
        path = _listed_path(source, entry.get("path"))
        if not path.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup")
        if path.stat().st_size != entry.get("size") or sha256_of(path) != entry.get("sha256"):
            raise BackupError(f"{entry['path']} does not match its checksum in the manifest")
        progress(f"checked {entry['path']}")
    listed = {entry["path"] for entry in manifest.get("files", [])}
    database_file = manifest.get("database", {}).get("file")
    if database_file not in listed:
        raise BackupError("the manifest lists no database dump")
    return manifest


def _first_table_with_rows() -> str | None:
    """A table of the target database that has a row (or is not this portal's), if any.

    Through the models' managers, not SQL built from table names: a table that no model or
    the migration history owns counts as not empty, since a restore would not replace it.
    """
    owners = {
        model._meta.db_table: model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }
    for table in sorted(connection.introspection.table_names()):
        if table == MigrationRecorder.Migration._meta.db_table:
            if MigrationRecorder(connection).migration_qs.exists():
                return table
        elif table not in owners or owners[table]._base_manager.exists():
            return table
    return None


def _check_targets_empty(manifest: dict[str, Any]) -> tuple[Path, Path | None]:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"this is a {vendor} backup; the configured database is {connection.vendor}"
        )
    unknown = sorted(
        {(app, name) for app, name in manifest.get("migrations", [])} - known_migrations()
    )
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"the backup's database has {len(unknown)} migrations this code lacks "
            f"(first {app}.{name}): restore with the code that wrote it, or newer"
        )
    table = _first_table_with_rows()
    if table is not None:
        raise BackupError(
            f"the target database is not empty (table {table} has rows or is not the portal's): "
            "restore into a new, empty database"
        )
    root = storage_root()
    if next(_files_under(root), None) is not None:
        raise BackupError(f"the storage directory {root} is not empty")
    checkpoints = checkpoint_path()
    if checkpoints is not None and checkpoints.exists() and checkpoints.stat().st_size:
        raise BackupError(f"the checkpoint file {checkpoints} is not empty")
    return root, checkpoints


def _restore_database(source: Path, manifest: dict[str, Any], progress: Progress) -> int:
    dump = source / manifest["database"]["file"]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if not name or name == ":memory:" or name.startswith("file:"):
            raise BackupError("restore into a database file, not an in-memory database")
        connection.close()
        reader = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        writer = sqlite3.connect(name)
        try:
            reader.backup(
                writer, pages=SQLITE_PAGES_PER_STEP, progress=_sqlite_progress(progress, "database")
            )
        finally:
            writer.close()
            reader.close()
        return dump.stat().st_size
    if connection.vendor == "postgresql":
        connection.close()
        command, env = _pg_command("pg_restore", _database_params())
        command += ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        command += ["--verbose", str(dump)]
        _run_client(command, env, progress)
        return dump.stat().st_size
    raise BackupError(f"restores into {connection.vendor} databases are not supported")


def restore_backup(source: Path, progress: Progress = _quiet) -> Summary:
    """Check, then restore a backup into an empty database, storage and checkpoint file."""
    manifest = verify_backup(source, progress)
    root, checkpoints = _check_targets_empty(manifest)
    summary = Summary(directory=source, vendor=connection.vendor)
    summary.database_bytes = _restore_database(source, manifest, progress)
    progress(f"database: {summary.database_bytes} bytes restored")

    prefix = f"{STORAGE_DIR}/"
    for entry in manifest["files"]:
        relative = entry["path"]
        if not relative.startswith(prefix):
            continue
        target = root / relative.removeprefix(prefix)
        _copy_private(_listed_path(source, relative), target)
        summary.storage_files += 1
        summary.storage_bytes += entry["size"]
        progress(f"storage: {relative.removeprefix(prefix)}")

    copied = manifest.get("checkpoint_file")
    if copied:
        if checkpoints is None:
            progress("AUDIT_CHECKPOINT_FILE is off: the backed-up checkpoint file is not restored")
        else:
            checkpoints.unlink(missing_ok=True)  # checked empty above
            _copy_private(_listed_path(source, copied), checkpoints)
            checkpoints.chmod(0o640)
            summary.checkpoint_file = True
            progress(f"checkpoint file: {checkpoints}")
    return summary
