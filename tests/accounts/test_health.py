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


def test_it_counts_outbox_jobs_waiting_and_failing(staff_client, admin_user, settings) -> None:
    from django.db import transaction

    from portal import outbox
    from portal.models import OutboxJob

    with transaction.atomic():
        outbox.enqueue("portal.tasks.record_heartbeat")
        failing = outbox.enqueue("portal.tasks.record_heartbeat")
    OutboxJob.objects.filter(pk=failing.pk).update(attempts=settings.OUTBOX_MAX_ATTEMPTS)

    page = staff_client(admin_user).get("/staff/health/").content.decode()

    assert "2 waiting" in page and "1 failing again and again" in page
