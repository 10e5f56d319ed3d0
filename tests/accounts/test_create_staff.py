import io

import pytest
from django.core.management import CommandError, call_command

from audit.events import Action
from audit.models import AuditEvent
from partners.models import Organization
from portal.accounts.models import TOTPDevice
from portal.models import User
from tests.staff import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def run(monkeypatch, *args: str, password: str = STAFF_PASSWORD) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def test_it_creates_staff_and_prints_the_otpauth_uri(monkeypatch) -> None:
    out = run(monkeypatch, "ivy", "--role", "investigator")
    assert out.startswith("otpauth://totp/Tip%20Portal%3Aivy?secret=")
    user = User.objects.get(username="ivy")
    assert user.role == "investigator" and user.check_password(STAFF_PASSWORD)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_CREATED).count() == 1


def test_it_links_a_liaison_to_the_organization(monkeypatch) -> None:
    Organization.objects.create(slug="dropin", name="Drop-in Center")
    run(monkeypatch, "lia", "--role", "liaison", "--org", "dropin")
    assert User.objects.get(username="lia").organization.slug == "dropin"


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("x", "--role", "liaison"), STAFF_PASSWORD, "organization"),
        (("x", "--role", "investigator", "--org", "nope"), STAFF_PASSWORD, "No partner"),
        (("x", "--role", "investigator"), "short", "Password refused"),
        (("x", "--role", "investigator"), "", "standard input"),
    ],
)
def test_it_refuses_bad_input(monkeypatch, args, password, message) -> None:
    with pytest.raises(CommandError, match=message):
        run(monkeypatch, *args, password=password)
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_taken_username(monkeypatch) -> None:
    run(monkeypatch, "ivy", "--role", "investigator")
    with pytest.raises(CommandError, match="already exists"):
        run(monkeypatch, "ivy", "--role", "investigator")
