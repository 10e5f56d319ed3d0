import re

import pytest
from django.test import Client
from django_otp.oath import TOTP

from audit.events import Action
from audit.models import AuditEvent
from portal.accounts import actions
from portal.accounts.models import BackupCode, TOTPDevice
from tests.staff import STAFF_PASSWORD, totp_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_investigator(investigator):
    """An account whose second factor was reset: the next sign-in enrolls again."""
    actions.do_reset_two_factor(investigator, acting_user=investigator)
    return investigator


def start(client: Client, user) -> None:
    response = client.post("/staff/login/", {"username": user.username, "password": STAFF_PASSWORD})
    assert response["Location"] == "/staff/login/enroll/"


def test_it_shows_a_server_drawn_qr_code_and_the_uri(client: Client, new_investigator) -> None:
    start(client, new_investigator)
    body = client.get("/staff/login/enroll/").content.decode()
    assert 'src="data:image/svg+xml' in body
    assert "otpauth://totp/" in body


def test_it_enrolls_and_shows_backup_codes_once(client: Client, new_investigator) -> None:
    start(client, new_investigator)
    client.get("/staff/login/enroll/")
    response = client.post("/staff/login/enroll/", {"otp_token": totp_now(new_investigator)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9-]{20})</code>", response.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=new_investigator).confirmed
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.TOTP_ENROLLED).count() == 1


def test_it_refuses_a_wrong_enrollment_code(client: Client, new_investigator) -> None:
    start(client, new_investigator)
    client.get("/staff/login/enroll/")
    response = client.post("/staff/login/enroll/", {"otp_token": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.get(user=new_investigator).confirmed


def test_it_stores_the_seed_encrypted(investigator) -> None:
    device = TOTPDevice.objects.get(user=investigator)
    seed = device.seed()
    assert seed not in bytes(device.encrypted_seed)
    assert seed.hex().encode() not in bytes(device.encrypted_seed)


def test_it_stores_backup_codes_only_as_hashes(investigator) -> None:
    codes = actions.do_issue_backup_codes(investigator)
    stored = set(BackupCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert all(code not in h and code.replace("-", "") not in h for h in stored)


def test_it_accepts_a_backup_code_once(investigator) -> None:
    code = actions.do_issue_backup_codes(investigator)[0]
    first, second = Client(), Client()
    for c in (first, second):
        c.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})
    assert first.post("/staff/login/verify/", {"otp_token": code.lower()}).status_code == 302
    assert second.post("/staff/login/verify/", {"otp_token": code}).status_code == 400
    assert AuditEvent.objects.filter(action=Action.BACKUP_CODE_USED).count() == 1


def test_it_accepts_the_previous_step_but_no_older(investigator) -> None:
    device = TOTPDevice.objects.get(user=investigator)
    assert not device.verify_token(totp_now(investigator, offset_steps=-2))
    device.throttle_reset()  # django-otp slows retries after a failure; not what this tests
    assert device.verify_token(totp_now(investigator, offset_steps=-1))


def test_it_rejects_a_future_code(investigator) -> None:
    device = TOTPDevice.objects.get(user=investigator)
    totp = TOTP(device.seed(), 30, 0, 6, 1)
    assert not device.verify_token(f"{totp.token():06d}")
