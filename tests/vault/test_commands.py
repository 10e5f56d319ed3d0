import io
import re
import stat

import pytest
from django.core.management import CommandError

from partners.models import Organization
from portal import vault
from portal.vault import keys
from portal.vault.models import Desk, DeskGrant, RecoveryKey
from tests.commands import run
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_prints_the_recovery_key_once_and_stores_only_its_public_half() -> None:
    out = run("vault_init")
    printed = re.search(r"TPRK1(-[A-Z2-7]{1,8})+", out)
    assert printed is not None
    recovery_key = keys.parse_recovery_key(printed.group(0))
    assert bytes(RecoveryKey.objects.get().public_key) == recovery_key.public_bytes()
    assert Desk.objects.get().slug == "triage"


def test_it_writes_the_recovery_key_to_a_private_file(key_file) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    recovery_key = keys.parse_recovery_key(key_file.read_text())
    assert vault.RecoveryKeyring(recovery_key).desk_private_key(vault.triage_desk())


def test_it_refuses_to_run_twice(key_file) -> None:
    before = key_file.read_text()
    with pytest.raises(CommandError, match="already initialised"):
        run("vault_init", recovery_key_out=str(key_file.with_name("second")))
    assert not key_file.with_name("second").exists()
    assert key_file.read_text() == before
    assert RecoveryKey.objects.count() == 1


def test_it_never_overwrites_an_existing_key_file(tmp_path) -> None:
    existing = tmp_path / "old-key"
    existing.write_text("another vault's key")
    with pytest.raises(CommandError, match="already exists"):
        run("vault_init", recovery_key_out=str(existing))
    assert existing.read_text() == "another vault's key"
    assert not vault.is_initialized()


def test_it_creates_an_organization_with_its_desk(key_file) -> None:
    out = run("create_org", "safe-housing", name="Safe Housing", services="housing, legal,housing")
    organization = Organization.objects.get(slug="safe-housing")
    assert organization.services == ["housing", "legal"]
    assert organization.desk.slug == "safe-housing"
    assert "safe-housing" in out


@pytest.mark.parametrize(
    ("slug", "services", "message"),
    [
        ("clinic", "medical,surgery", "Unknown service code"),
        ("clinic", " , ", "at least one"),
        ("triage", "medical", "task force"),
        ("no spaces", "medical", "not a slug"),
    ],
)
def test_it_refuses_bad_organizations(key_file, slug: str, services: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("create_org", slug, name="Clinic", services=services)
    assert not Organization.objects.exists()


def test_it_needs_the_vault_before_an_organization(db) -> None:
    with pytest.raises(CommandError, match="vault_init"):
        run("create_org", "clinic", name="Clinic", services="medical")
    assert not Organization.objects.exists()


def test_it_grants_and_revokes_a_desk(key_file, make_member) -> None:
    user = make_member("ivy")
    assert "now holds" in run("grant_desk", "ivy", "triage", recovery_key_file=str(key_file))
    assert vault.unlock(user, PASSWORD).has_desk(vault.triage_desk())
    assert "no longer holds" in run("revoke_desk", "ivy", "triage")
    assert not DeskGrant.objects.exists()
    assert "did not hold" in run("revoke_desk", "ivy", "triage")


@pytest.mark.parametrize(
    ("username", "desk", "message"),
    [
        ("nobody", "triage", "no account"),
        ("ivy", "nowhere", "no desk"),
        ("ada", "triage", "may not"),
    ],
)
def test_it_explains_a_refused_grant(key_file, make_member, username, desk, message) -> None:
    make_member("ivy")
    make_member("ada", role="admin")
    with pytest.raises(CommandError, match=message):
        run("grant_desk", username, desk, recovery_key_file=str(key_file))
    assert not DeskGrant.objects.exists()


def test_it_refuses_a_wrong_recovery_key_file(key_file, make_member, tmp_path) -> None:
    make_member("ivy")
    other = tmp_path / "other"
    other.write_text(keys.format_recovery_key(keys.PrivateKey.generate()))
    for path, message in ((other, "another vault"), (tmp_path / "missing", "Cannot read")):
        with pytest.raises(CommandError, match=message):
            run("grant_desk", "ivy", "triage", recovery_key_file=str(path))


def test_it_rotates_with_the_recovery_key_file(key_file, make_member) -> None:
    run("grant_desk", make_member("ivy").username, "triage", recovery_key_file=str(key_file))
    vault.encrypt_record(("tips.tip", 1), {"d": b"x"}, desks=[vault.triage_desk()])
    out = run("rotate_desk_key", "triage", recovery_key_file=str(key_file), batch_size=1)
    assert "now version 2" in out and "1 data key(s) re-wrapped" in out
    assert vault.triage_desk().key_version == 2


def test_it_rotates_as_a_member_with_the_password_on_stdin(key_file, make_member, monkeypatch):
    run("grant_desk", make_member("ivy").username, "triage", recovery_key_file=str(key_file))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert "now version 2" in run("rotate_desk_key", "triage", as_user="ivy")
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    with pytest.raises(CommandError, match="does not unlock"):
        run("rotate_desk_key", "triage", as_user="ivy")


def test_it_refuses_a_slug_an_older_desk_still_carries(key_file) -> None:
    run("create_org", "drop-in", name="Drop-in", services="shelter")
    Organization.objects.filter(slug="drop-in").update(slug="drop-in-center")
    with pytest.raises(CommandError, match="desk named 'drop-in' exists"):
        run("create_org", "drop-in", name="Another", services="shelter")
    assert Organization.objects.count() == 1
