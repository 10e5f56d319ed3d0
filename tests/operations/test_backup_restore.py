"""`manage.py backup` and `manage.py restore`: a populated portal backed up, restored into a
fresh database and storage by a child process, and still working there."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection

from audit import notary
from tests import factories
from tests.commands import run
from tests.conftest import ROOT
from tests.staff import STAFF_PASSWORD
from tips.attachments import CleanedAttachment
from triage import actions

pytestmark = pytest.mark.django_db(transaction=True)

REPLY = "Thank you. Is the van still parked there at night?"


def photo() -> CleanedAttachment:
    return CleanedAttachment(
        name="van_on_pine.jpg", content_type="image/jpeg",
        data=factories.image("blue").getvalue(), original=None, removed=(),
    )  # fmt: skip


@pytest.fixture
def checkpoint_file(settings, tmp_path: Path) -> Path:
    path = tmp_path / "source" / "audit-checkpoints.log"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    return path


@pytest.fixture
def populated(submit, investigator, liaison_a, recovery_key, keys, checkpoint_file):  # noqa: PLR0917 - fixtures
    """A tip with a photo, a reply to the tipster, a handoff and a signed checkpoint; returns
    the receipt."""
    tip, receipt = submit(attachments=(photo(),))
    actions.do_claim(tip, acting_user=investigator)
    actions.do_message_tipster(tip, REPLY, acting_user=investigator)
    partner = factories.partner(liaison_a, recovery_key)
    factories.hand_off(
        tip, partner.organization, acting_user=investigator, unlocked=keys(investigator)
    )
    assert notary.write_checkpoint()
    return receipt


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same engine as the test database, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    params = connection.settings_dict
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "password": params["PASSWORD"] or None,
    }
    name = f"tipportal_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    try:
        yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def target_env(subprocess_env, fresh_database_url, tmp_path: Path) -> dict[str, str]:
    """A child process's environment for the restored portal: its own database, storage and
    checkpoint file, the same server secrets (which travel separately from backups)."""
    return {
        **subprocess_env,
        "DATABASE_URL": fresh_database_url,
        "STORAGE_ROOT": str(tmp_path / "restored-storage"),
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "restored" / "audit-checkpoints.log"),
    }


def child(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_it_restores_a_populated_portal_into_a_fresh_database_and_storage(  # noqa: PLR0917 - fixtures
    populated, investigator, target_env, private_storage, checkpoint_file, tmp_path
):
    out = tmp_path / "backup"
    printed = run("backup", "--out", str(out))
    assert f"backup written to {out}: {connection.vendor} database" in printed
    assert "1 storage files" in printed and "the checkpoint file" in printed

    restored = child(target_env, "manage.py", "restore", str(out), "--verbosity", "2")

    assert restored.returncode == 0, restored.stderr
    assert "audit log intact" in restored.stdout
    assert "storage: " in restored.stderr  # progress, one line per file
    storage = Path(target_env["STORAGE_ROOT"])
    assert sorted(p.name for p in storage.rglob("*") if p.is_file()) == sorted(
        p.name for p in private_storage.rglob("*") if p.is_file()
    )
    assert Path(target_env["AUDIT_CHECKPOINT_FILE"]).read_bytes() == checkpoint_file.read_bytes()

    opened = child(
        target_env, "-m", "tests.operations.restored", populated, investigator.username,
        STAFF_PASSWORD,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    seen = json.loads(opened.stdout.strip().splitlines()[-1])
    assert seen["messages"] == [REPLY]
    assert seen["description"] == factories.DESCRIPTION
    [attachment] = seen["attachments"]
    assert attachment["name"] == "van_on_pine.jpg"
    assert seen["handoffs"] == 1

    verified = child(target_env, "manage.py", "verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert "audit log intact" in verified.stdout


def test_it_refuses_a_backup_whose_file_does_not_match_the_manifest(
    populated, target_env, tmp_path
):
    out = tmp_path / "backup"
    run("backup", "--out", str(out))
    [blob] = [p for p in (out / "storage").rglob("*") if p.is_file()]
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0x01
    blob.write_bytes(bytes(data))

    restored = child(target_env, "manage.py", "restore", str(out))

    assert restored.returncode == 1
    relative = blob.relative_to(out).as_posix()
    assert f"{relative} does not match its checksum" in restored.stderr
    assert not Path(target_env["STORAGE_ROOT"]).exists()


def test_it_refuses_to_restore_over_a_database_with_rows(populated, tmp_path):
    out = tmp_path / "backup"
    run("backup", "--out", str(out))

    with pytest.raises(CommandError, match="the target database is not empty"):
        run("restore", str(out))


def test_it_refuses_to_restore_into_a_storage_with_files(populated, target_env, tmp_path):
    out = tmp_path / "backup"
    run("backup", "--out", str(out))
    leftover = Path(target_env["STORAGE_ROOT"]) / "ab" / "leftover"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"from another portal")

    restored = child(target_env, "manage.py", "restore", str(out))

    assert restored.returncode == 1
    assert "is not empty" in restored.stderr


def test_it_refuses_a_non_empty_output_directory(populated, tmp_path):
    out = tmp_path / "backup"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    with pytest.raises(CommandError, match="is not empty"):
        run("backup", "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_it_writes_a_manifest_of_every_file_and_no_secret(populated, tmp_path):
    from django.conf import settings

    out = tmp_path / "backup"
    run("backup", "--out", str(out))

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert ["audit", "0001_initial"] in manifest["migrations"]
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == on_disk - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])
    secrets = [
        settings.SECRET_KEY, settings.AUDIT_SIGNING_KEY, settings.VAULT_PASSWORD_PEPPER,
        settings.VAULT_RECEIPT_KEY, settings.VAULT_INDEX_KEY, settings.OTP_SEED_KEY,
        settings.OTP_HASH_KEY,
    ]  # fmt: skip
    for path in out.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, path


def test_it_refuses_a_storage_directory_that_holds_secrets(populated, settings, tmp_path):
    secrets_dir = Path(settings.VAR_DIR) / "secrets"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": secrets_dir.parent},
        },
    }

    with pytest.raises(CommandError, match="holds secrets"):
        run("backup", "--out", str(tmp_path / "backup"))


def test_it_shows_progress_when_asked(populated, tmp_path):
    import io

    from django.core.management import call_command

    err = io.StringIO()
    call_command(
        "backup", "--out", str(tmp_path / "backup"), verbosity=2, stderr=err, stdout=io.StringIO()
    )

    lines = err.getvalue().splitlines()
    assert any(line.startswith("database: ") for line in lines)
    assert any(line.startswith("storage: ") for line in lines)


def test_it_refuses_a_backup_from_code_with_migrations_this_code_lacks(populated, tmp_path):
    out = tmp_path / "backup"
    run("backup", "--out", str(out))
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"].append(["audit", "9999_from_the_future"])
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=r"1 migrations this code lacks \(first audit.9999"):
        run("restore", str(out))


def test_it_refuses_a_storage_directory_holding_a_secret_file(
    populated, private_storage, monkeypatch, tmp_path
):
    secret = private_storage / "receipt-key"
    secret.write_text("not for any backup")
    monkeypatch.setenv("VAULT_RECEIPT_KEY_FILE", str(secret))

    with pytest.raises(CommandError, match="holds secrets"):
        run("backup", "--out", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()
