import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


PRODUCTION_SECRETS = [
    "SECRET_KEY",
    "OTP_SEED_KEY",
    "OTP_HASH_KEY",
    "VAULT_PASSWORD_PEPPER",
    "VAULT_RECEIPT_KEY",
    "VAULT_INDEX_KEY",
    "AUDIT_SIGNING_KEY",
]


def production_env(base: dict[str, str]) -> dict[str, str]:
    """Production profile with every secret given explicitly (none inherited from tests)."""
    env = {k: v for k, v in base.items() if k not in PRODUCTION_SECRETS}
    env.update({name: f"production-{name.lower()}-" + "k" * 48 for name in PRODUCTION_SECRETS})
    env.update(PORTAL_ENV="production", ALLOWED_HOSTS="tips.sheriff.example.org")
    return env


def run_manage(python: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deploy_check_in_production(
    project_python: str, subprocess_env: dict[str, str]
) -> None:
    result = run_manage(
        project_python,
        production_env(subprocess_env),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", PRODUCTION_SECRETS)
def test_it_refuses_to_start_in_production_without_a_secret(
    project_python: str, subprocess_env: dict[str, str], secret: str
) -> None:
    env = production_env(subprocess_env)
    del env[secret]
    result = run_manage(project_python, env, "check")
    assert result.returncode != 0
    assert f"{secret} is not set" in result.stderr


def test_it_reads_secrets_from_a_file(
    project_python: str, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file-" + "x" * 60)
    env = production_env(subprocess_env)
    del env["SECRET_KEY"]
    env["SECRET_KEY_FILE"] = str(secret_file)
    result = run_manage(
        project_python,
        env,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert result.stdout.strip().splitlines()[-1] == "from-a-file-" + "x" * 60


def test_it_defaults_to_debug_off_outside_development(
    project_python: str, subprocess_env: dict[str, str]
) -> None:
    result = run_manage(
        project_python,
        production_env(subprocess_env),
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
    )
    assert result.stdout.strip().splitlines()[-1] == "False True"


def test_it_rejects_a_malformed_boolean(
    project_python: str, subprocess_env: dict[str, str]
) -> None:
    env = dict(subprocess_env, DEBUG="maybe")
    result = run_manage(project_python, env, "check")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("backend", ["filebased", "console", "smtp"])
def test_it_sends_mail_through_any_configured_backend_in_production(
    project_python: str, subprocess_env: dict[str, str], tmp_path: Path, backend: str
) -> None:
    env = dict(
        production_env(subprocess_env),
        EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend",
        EMAIL_TIMEOUT="7",
    )
    if backend == "filebased":
        env["EMAIL_OPTIONS"] = json.dumps({"file_path": str(tmp_path / "mail")})
    code = (
        "from django.core.mail import mailers\n"
        "connection = mailers['default']\n"
        "print('MAILER', type(connection).__module__, getattr(connection, 'timeout', None))"
    )
    result = run_manage(project_python, env, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("MAILER ")]
    _, module, timeout = line.split()
    assert module == f"django.core.mail.backends.{backend}"
    assert timeout == ("7" if backend == "smtp" else "None")
