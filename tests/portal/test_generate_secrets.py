"""`manage.py generate_secrets --out DIR`: every production secret, in the form its loader takes."""

import base64
import re
import stat
import subprocess
import sys

import pytest
from django.core.management.base import CommandError

from audit.signing import seed_from_secret
from portal.management.commands.generate_secrets import PRODUCTION_SECRETS
from tests.commands import run
from tests.servers import ROOT

SETTINGS_SECRETS = re.findall(
    r'env_secret\("([A-Z0-9_]+)"', (ROOT / "portal" / "settings.py").read_text()
)


def test_it_knows_every_secret_settings_reads() -> None:
    assert len(SETTINGS_SECRETS) == 7
    assert list(PRODUCTION_SECRETS) == SETTINGS_SECRETS


def test_it_writes_one_private_file_per_secret_and_prints_where(tmp_path) -> None:
    out = tmp_path / "secrets"
    printed = run("generate_secrets", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert sorted(p.name for p in out.iterdir()) == sorted(n.lower() for n in SETTINGS_SECRETS)
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert printed.splitlines() == [
        f"{name}_FILE={out / name.lower()}" for name in SETTINGS_SECRETS
    ]


def test_it_writes_the_audit_key_as_a_raw_ed25519_seed(tmp_path) -> None:
    run("generate_secrets", "--out", str(tmp_path))
    text = (tmp_path / "audit_signing_key").read_text().strip()
    # The seed itself, not a passphrase hashed into one (audit/signing.py).
    assert seed_from_secret(text) == base64.urlsafe_b64decode(text + "=")


def test_it_writes_random_keys_that_differ(tmp_path) -> None:
    run("generate_secrets", "--out", str(tmp_path))
    values = {p.read_text().strip() for p in tmp_path.iterdir()}
    assert len(values) == 7
    assert all(len(value) >= 43 for value in values)
    assert len((tmp_path / "secret_key").read_text().strip()) >= 50


def test_it_gives_production_settings_everything_they_need(tmp_path, subprocess_env) -> None:
    printed = run("generate_secrets", "--out", str(tmp_path))
    env = dict(subprocess_env, PORTAL_ENV="production", ALLOWED_HOSTS="tips.example.org")
    env.update(line.split("=", 1) for line in printed.splitlines())
    for name in SETTINGS_SECRETS:
        env.pop(name, None)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from audit.signing import audit_signer; "
        "print(settings.VAULT_RECEIPT_KEY); print(audit_signer().verifier.vkey)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    receipt_key, vkey = result.stdout.splitlines()[-2:]
    assert receipt_key == (tmp_path / "vault_receipt_key").read_text().strip()
    assert vkey.startswith("tip-portal.local/audit+")


@pytest.mark.parametrize("present", ["secret_key", "audit_signing_key"])
def test_it_refuses_to_overwrite_and_writes_nothing(tmp_path, present: str) -> None:
    (tmp_path / present).write_text("the key everything is sealed under\n")
    with pytest.raises(CommandError, match="Refusing to overwrite"):
        run("generate_secrets", "--out", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [present]
    assert (tmp_path / present).read_text() == "the key everything is sealed under\n"


def test_it_exits_nonzero_from_the_command_line(tmp_path, subprocess_env) -> None:
    (tmp_path / "otp_seed_key").write_text("kept\n")
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_secrets", "--out", str(tmp_path)],
        env=subprocess_env,
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Refusing to overwrite" in result.stderr
    assert "_FILE=" not in result.stdout
