"""Fixtures shared by every app's tests: child processes, the browser, private storage, the
vault, staff personas and a submitted tip. App conftests add only what is their own.

Helpers that tests import live in modules, never in a conftest: `tests.staff` (sign-in, TOTP
codes), `tests.factories` (tips, partners, handoffs, consent, pictures), `tests.readers` (audit
rows, fresh rows, sealed content), `tests.servers` (the project's processes) and
`tests.databases` (PostgreSQL-only tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.staff import STAFF_PASSWORD, sign_in

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


# --- Storage and the vault ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Attachments go to a private directory of each test's own, never the project's storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage", "file_permissions_mode": 0o600},
        },
    }
    return tmp_path / "storage"


@pytest.fixture
def recovery_key(db):
    """An initialised vault (its triage desk included); the recovery key's private half."""
    from portal import vault

    return vault.initialize()


@pytest.fixture
def enlist(recovery_key):
    """`enlist(user)`: give a task-force member the triage desk key, as an operator does with the
    recovery key."""
    from portal import vault

    def grant(user):
        vault.grant_desk_with_recovery(vault.triage_desk(), user, recovery_key)
        return user

    return grant


@pytest.fixture
def keys():
    """`keys(user)`: the user's unlocked keyring, as a signed-in session holds it."""
    from portal import vault

    unlocked = {}

    def unlock(user):
        if user.pk not in unlocked:
            unlocked[user.pk] = vault.unlock(user, STAFF_PASSWORD)
        return unlocked[user.pk]

    return unlock


# --- Staff personas ---------------------------------------------------------------------------


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


@pytest.fixture
def task_force_holds_triage_desk() -> bool:
    """Whether the task-force personas below hold the triage desk key. Off here: account and
    vault tests hand out desks themselves; the triage and handoff conftests turn it on."""
    return False


@pytest.fixture
def make_task_force(make_staff, request):
    """`make_task_force(username, role)`: a task-force member, on the triage desk when
    `task_force_holds_triage_desk` says so."""

    def make(username: str, role: str):
        user = make_staff(username, role)
        if request.getfixturevalue("task_force_holds_triage_desk"):
            request.getfixturevalue("enlist")(user)
        return user

    return make


@pytest.fixture
def supervisor(make_task_force):
    return make_task_force("sam-supervisor", "supervisor")


@pytest.fixture
def other_supervisor(make_task_force):
    return make_task_force("sue-supervisor", "supervisor")


@pytest.fixture
def investigator(make_task_force):
    return make_task_force("ivy-investigator", "investigator")


@pytest.fixture
def other_investigator(make_task_force):
    return make_task_force("oscar-investigator", "investigator")


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


# --- Tips ---------------------------------------------------------------------------------------


@pytest.fixture
def submit(recovery_key):
    """`submit(**overrides)`: a tip through `do_submit_tip`; returns (tip, receipt)."""
    from tests.factories import submit_tip

    return submit_tip


@pytest.fixture
def tip(submit):
    return submit()[0]


@pytest.fixture
def held(tip, investigator):
    """The tip, claimed by the investigator (in review)."""
    from triage import actions

    return actions.do_claim(tip, acting_user=investigator)


@pytest.fixture
def investigating(held, investigator, keys):
    """The tip, claimed by the investigator and under investigation."""
    from tips.models import Status
    from triage import actions

    return actions.do_transition(
        held, Status.INVESTIGATING, acting_user=investigator, reason="Looking into it",
        unlocked=keys(investigator),
    )  # fmt: skip


# --- Browser ------------------------------------------------------------------------------------


@pytest.fixture
def open_tab(browser, live_server, settings):
    """`open_tab(width, height)`: a fresh context (its own cookies) that may reach only the live
    server; every request elsewhere is refused and fails the test."""
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    contexts, elsewhere = [], []

    def handle(route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    def make(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route("**/*", handle)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert elsewhere == []


@pytest.fixture(autouse=True)
def default_language():
    """A request to /es/ leaves Spanish active in the thread; start every test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
