import pytest
from django.core.management import CommandError, call_command

from portal.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_logins_once(settings, capsys) -> None:
    settings.DEBUG = True
    call_command("bootstrap_demo")
    call_command("bootstrap_demo")
    assert User.objects.filter(username="demo-admin", role="admin").count() == 1
    assert "demo-admin" in capsys.readouterr().out


def test_it_refuses_to_run_with_debug_off(settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("bootstrap_demo")
    assert not User.objects.exists()
