import pytest

from portal.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_it_shows_the_last_worker_heartbeat(staff_client, admin_user) -> None:
    client = staff_client(admin_user)
    assert "No heartbeat yet" in client.get("/staff/health/").content.decode()
    record_heartbeat.apply()
    assert "Last heartbeat" in client.get("/staff/health/").content.decode()


def test_it_is_for_admins_only(staff_client, supervisor) -> None:
    assert staff_client(supervisor).get("/staff/health/").status_code == 403
