import io
import stat

import pytest
from django.core.management import CommandError, call_command

from partners.models import Organization
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return settings


def test_it_creates_demo_data_once(demo_settings, capsys) -> None:
    call_command("bootstrap_demo")
    call_command("bootstrap_demo")
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"investigator", "supervisor", "liaison", "admin"}
    assert Organization.objects.count() == 2
    assert "demo-investigator" in capsys.readouterr().out
    key_file = demo_settings.VAR_DIR / "demo-recovery-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_demo_staff_pages_follow_the_browser_language(demo_settings) -> None:
    call_command("bootstrap_demo")

    assert set(User.objects.values_list("language", flat=True)) == {""}


def test_it_gives_demo_staff_their_desks(demo_settings) -> None:
    from portal import vault
    from portal.management.commands.bootstrap_demo import DEMO_PASSWORD

    call_command("bootstrap_demo")
    investigator = User.objects.get(username="demo-investigator")
    liaison = User.objects.get(username="demo-liaison")
    assert vault.unlock(investigator, DEMO_PASSWORD).desk_private_key(vault.triage_desk())
    with pytest.raises(vault.NoDeskAccess):
        vault.unlock(liaison, DEMO_PASSWORD).desk_private_key(vault.triage_desk())


def test_it_prints_a_demo_code(demo_settings) -> None:
    call_command("bootstrap_demo")
    out = io.StringIO()
    call_command("demo_totp", "demo-supervisor", stdout=out)
    assert out.getvalue().strip().isdigit()


def test_it_refuses_to_run_with_debug_off(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("bootstrap_demo")
    assert not User.objects.exists()


def test_it_fills_the_queue_with_demo_tips_once(demo_settings, capsys, tmp_path) -> None:
    import re

    from portal import vault
    from tips import followup
    from tips.models import Tip

    demo_settings.STORAGES = {
        **demo_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage"},
        },
    }
    call_command("bootstrap_demo")
    call_command("bootstrap_demo")

    assert Tip.objects.count() == 6
    assert Tip.objects.filter(priority_level="urgent").exists()
    assert Tip.objects.filter(victim_self_report=True, language="es").exists()
    receipt = re.search(r"receipt ([0-9A-Z-]{23})", capsys.readouterr().out).group(1)
    assert followup.read_thread(receipt).status.value == "received"
    assert vault.is_initialized()
    from handoffs.models import Handoff

    handoff = Handoff.objects.get()
    assert handoff.organization.slug == "drop-in-center" and handoff.identity is None
