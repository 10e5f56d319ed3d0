from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_python() -> str:
    """The interpreter of the project's virtualenv (tests start manage.py, gunicorn, celery)."""
    import sys

    return sys.executable


@pytest.fixture
def venv_bin() -> Path:
    import sys

    return Path(sys.executable).parent


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a child process running the project in the development profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        PORTAL_ENV="development",
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'child.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; never a downloaded browser.

    Skips with instructions when chromium is missing, unless REQUIRE_BROWSER=1 (CI), where a
    missing browser is a failure.
    """
    if not Path("/usr/bin/chromium").exists():
        message = (
            "browser tests need Debian's chromium: `sudo apt install chromium` "
            "(Playwright drives /usr/bin/chromium; no browser download)"
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # are still synchronous, so Django's async-safety guard does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks, monkeypatch):
    """Call an action as if its transactions committed: what they leave for after the commit
    (outbox jobs, and so the mail they send) has run here, as a worker would, when the call
    returns, whether or not a broker is configured."""
    from portal import outbox

    monkeypatch.setattr(outbox, "nudge", outbox.run)

    def call(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return call


# --- Staff personas ---------------------------------------------------------------------------

STAFF_PASSWORD = "correct horse battery staple 1"


@pytest.fixture
def make_staff(db):
    """Create a staff account the real way (password, personal vault key, TOTP device)."""
    from partners.models import Organization
    from portal.accounts import actions
    from portal.roles import Role

    def make(username: str, role: str, org_slug: str | None = None):
        organization = None
        if role == Role.LIAISON:
            organization, _ = Organization.objects.get_or_create(
                slug=org_slug or "org-a", defaults={"name": (org_slug or "org-a").title()}
            )
        user, _uri = actions.do_create_staff(
            username, role=role, password=STAFF_PASSWORD, organization=organization,
            acting_user=None,
        )  # fmt: skip
        return user

    return make


def totp_now(user, offset_steps: int = 0) -> str:
    """The code the user's authenticator app shows right now."""
    import time

    from django_otp.oath import TOTP

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.seed(), device.STEP, 0, device.DIGITS, 0)
    totp.time = time.time() + offset_steps * device.STEP
    return f"{totp.token():06d}"


def sign_in(client, user, password: str = STAFF_PASSWORD):
    """The full web sign-in: password, then TOTP. Leaves the vault unlocked in the session."""
    response = client.post("/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content
    response = client.post("/staff/login/verify/", {"otp_token": totp_now(user)})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def supervisor(make_staff):
    return make_staff("sam-supervisor", "supervisor")


@pytest.fixture
def investigator(make_staff):
    return make_staff("ivy-investigator", "investigator")


@pytest.fixture
def other_investigator(make_staff):
    return make_staff("oscar-investigator", "investigator")


@pytest.fixture
def liaison_a(make_staff):
    return make_staff("lia-a", "liaison", "org-a")


@pytest.fixture
def liaison_b(make_staff):
    return make_staff("lee-b", "liaison", "org-b")


@pytest.fixture
def admin_user(make_staff):
    return make_staff("ada-admin", "admin")


@pytest.fixture
def staff_client():
    """`staff_client(user)`: a fresh client signed in as `user` with both factors."""
    from django.test import Client

    def make(user):
        return sign_in(Client(), user)

    return make


def login_verified(client, user) -> None:
    """Sign `user` in with the second factor marked verified, without the full flow.

    For tests of pages that need no vault; `sign_in` goes through password and TOTP for real.
    """
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator")
        device.provision()
        device.save(update_fields=["encrypted_seed"])
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def default_language():
    """A request to /es/ leaves Spanish active in the thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
