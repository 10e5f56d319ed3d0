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


def test_it_counts_outbox_jobs_waiting_and_given_up(staff_client, admin_user) -> None:
    from django.db import transaction
    from django.utils import timezone

    from portal import outbox
    from portal.models import OutboxJob

    with transaction.atomic():
        outbox.enqueue("portal.tasks.record_heartbeat")
        given_up = outbox.enqueue("portal.tasks.record_heartbeat")
    OutboxJob.objects.filter(pk=given_up.pk).update(failed_at=timezone.now())

    page = staff_client(admin_user).get("/staff/health/").content.decode()

    assert "1 waiting" in page and "1 given up after repeated failures" in page
