import pytest
from django.conf import settings

from portal.celery import app
from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat


def test_it_acknowledges_tasks_only_after_they_ran() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_it_runs_tasks_in_process_without_a_broker() -> None:
    if settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured: tasks go to real workers")
    assert app.conf.task_always_eager is True


@pytest.mark.django_db
def test_it_discovers_the_project_tasks() -> None:
    app.loader.import_default_modules()
    assert "portal.tasks.record_heartbeat" in app.tasks


@pytest.mark.django_db
def test_it_dispatches_after_commit_only(django_capture_on_commit_callbacks) -> None:
    if settings.CELERY_BROKER_URL:
        pytest.skip("eager dispatch is what this checks")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record_heartbeat.delay_on_commit()
        assert not WorkerHeartbeat.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert WorkerHeartbeat.objects.filter(eager=True).count() == 1


@pytest.mark.django_db
def test_it_records_a_heartbeat() -> None:
    beat_id = record_heartbeat.apply().get()
    assert WorkerHeartbeat.objects.filter(pk=beat_id).exists()
