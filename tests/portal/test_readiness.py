"""`/healthz/` (liveness) and `/readyz/` (readiness): always JSON, always quick."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import Action, record
from audit.notary import write_checkpoint
from portal.models import WorkerHeartbeat
from tests.servers import free_port, redis_cache_settings

pytestmark = pytest.mark.django_db

# An address a load balancer might probe by; not in ALLOWED_HOSTS (TEST-NET-1, never routed).
PROBE_HOST = "192.0.2.10"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener completes every TCP handshake (the kernel accepts into the
    backlog) and never answers a byte: what a hung broker or cache looks like."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture(autouse=True)
def embedded_default(settings):
    """The embedded default (tasks in-process, local-memory cache) whatever the test run's
    environment names; tests of a broker or a Redis cache set their own."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return settings


@pytest.fixture
def with_broker(settings):
    """Tasks go through a broker (at a closed port unless a test says otherwise)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    return settings


def readyz(client: Client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/readyz/")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json(), time.monotonic() - started


def test_it_answers_liveness_without_touching_the_database(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
def test_it_answers_head_with_headers_only(client: Client, path: str) -> None:
    response = client.head(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_other_methods_with_the_json_error_shape(
    client: Client, path: str, method: str
) -> None:
    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
def test_it_answers_a_probe_by_address_over_plain_http(settings, path: str) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client(headers={"host": PROBE_HOST})

    response = client.get(path)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/").status_code == 400, "any other page still validates the host"


def test_it_keeps_the_url_names(client: Client) -> None:
    assert reverse("healthz") == "/healthz/"
    assert reverse("readyz") == "/readyz/"


def test_it_is_ready_on_the_embedded_default(client: Client) -> None:
    status, body, _ = readyz(client)

    assert status == 200
    assert body == {
        "status": "ok",
        "components": {
            "database": {"ok": True, "detail": "ok"},
            "cache": {"ok": True, "detail": "ok"},
            "broker": {"ok": True, "detail": "not used"},
            "worker": {"ok": True, "detail": "not used"},
            "audit_checkpoint": {"ok": True, "detail": "no entries yet"},
        },
    }


def test_it_is_down_when_the_database_fails_and_names_no_address(client: Client) -> None:
    failure = OperationalError('connection to server at "192.0.2.99", port 5432 failed')
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=failure):
        status, body, _ = readyz(client)

    assert status == 503
    assert body["status"] == "down"
    assert body["components"]["database"] == {
        "ok": False,
        "detail": "unreachable (OperationalError)",
    }
    assert body["components"]["audit_checkpoint"]["ok"] is False
    assert "192.0.2.99" not in str(body)


def test_it_is_degraded_when_the_cache_is_unreachable(client: Client, settings) -> None:
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{free_port()}/0")
    status, body, _ = readyz(client)

    assert status == 503
    assert body["status"] == "degraded"
    assert body["components"]["cache"] == {"ok": False, "detail": "unreachable (ConnectionError)"}


def test_it_is_degraded_when_the_cache_raises(client: Client) -> None:
    with mock.patch(
        "django.core.cache.backends.locmem.LocMemCache.set", side_effect=RuntimeError("boom")
    ):
        status, body, _ = readyz(client)

    assert (status, body["status"]) == (503, "degraded")
    assert body["components"]["cache"] == {"ok": False, "detail": "failing (RuntimeError)"}


def test_it_gives_up_on_a_cache_that_never_answers(
    client: Client, settings, silent_port: int
) -> None:
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{silent_port}/0")
    status, body, elapsed = readyz(client)

    assert status == 503
    assert body["components"]["cache"] == {"ok": False, "detail": "timed out (TimeoutError)"}
    assert elapsed < 2.5


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_it_is_degraded_at_once_when_the_broker_port_is_closed(
    client: Client, with_broker, scheme: str
) -> None:
    with_broker.CELERY_BROKER_URL = f"{scheme}://127.0.0.1:{free_port()}/0"
    WorkerHeartbeat.objects.create(eager=False)

    status, body, elapsed = readyz(client)

    assert (status, body["status"]) == (503, "degraded")
    assert body["components"]["broker"]["ok"] is False
    assert body["components"]["broker"]["detail"].startswith("unreachable (")
    assert body["components"]["worker"]["ok"] is True
    assert elapsed < 1.0


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_it_gives_up_on_a_broker_that_never_answers(
    client: Client, with_broker, silent_port: int, scheme: str
) -> None:
    with_broker.CELERY_BROKER_URL = f"{scheme}://127.0.0.1:{silent_port}/0"

    status, body, elapsed = readyz(client)

    assert status == 503
    assert body["components"]["broker"] == {"ok": False, "detail": "timed out (TimeoutError)"}
    assert elapsed < 2.5


def test_it_is_degraded_when_the_last_heartbeat_is_stale(client: Client, with_broker) -> None:
    WorkerHeartbeat.objects.create(at=timezone.now() - timedelta(minutes=12), eager=False)
    # A heartbeat of the in-process runner says nothing about Celery workers.
    WorkerHeartbeat.objects.create(eager=True)

    status, body, _ = readyz(client)

    assert status == 503
    assert body["components"]["worker"] == {"ok": False, "detail": "last heartbeat 12 min ago"}


def test_it_counts_a_recent_heartbeat(client: Client, with_broker) -> None:
    WorkerHeartbeat.objects.create(at=timezone.now() - timedelta(seconds=30), eager=False)

    _, body, _ = readyz(client)

    assert body["components"]["worker"] == {"ok": True, "detail": "last heartbeat 30 s ago"}


def test_it_is_degraded_when_audit_entries_wait_unsigned(client: Client, settings) -> None:
    settings.AUDIT_CHECKPOINT_INTERVAL = 300
    with time_machine.travel(timezone.now() - timedelta(minutes=16)):
        record(Action.TIP_SUBMITTED, actor=None)

    status, body, _ = readyz(client)

    assert (status, body["status"]) == (503, "degraded")
    assert body["components"]["audit_checkpoint"] == {
        "ok": False,
        "detail": "entries unsigned for 16 min (no checkpoint yet)",
    }
    write_checkpoint()
    status, body, _ = readyz(client)
    assert status == 200
    assert body["components"]["audit_checkpoint"] == {
        "ok": True,
        "detail": "last checkpoint 0 s ago",
    }


def test_it_accepts_an_old_checkpoint_on_a_quiet_log(client: Client, settings) -> None:
    settings.AUDIT_CHECKPOINT_INTERVAL = 300
    with time_machine.travel(timezone.now() - timedelta(hours=5)):
        record(Action.TIP_SUBMITTED, actor=None)
        write_checkpoint()
    record(Action.TIP_SUBMITTED, actor=None)  # the next checkpoint is not due yet

    status, body, _ = readyz(client)

    assert status == 200
    assert body["components"]["audit_checkpoint"] == {
        "ok": True,
        "detail": "last checkpoint 5 h ago",
    }


@pytest.mark.services
@pytest.mark.skipif(
    not (django_settings.CELERY_BROKER_URL and django_settings.CACHE_URL),
    reason="set CELERY_BROKER_URL=redis://… and CACHE_URL=redis://… to probe real services",
)
def test_it_is_ready_with_the_configured_broker_cache_and_a_beating_worker(
    client: Client, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = django_settings.CELERY_BROKER_URL
    settings.CACHES = redis_cache_settings(django_settings.CACHE_URL)
    WorkerHeartbeat.objects.create(eager=False)

    status, body, _ = readyz(client)

    assert status == 200, body
    assert body["components"]["broker"] == {"ok": True, "detail": "ok"}
    assert body["components"]["cache"] == {"ok": True, "detail": "ok"}
    assert body["components"]["worker"] == {"ok": True, "detail": "last heartbeat 0 s ago"}


def test_it_bounds_database_queries_on_postgresql() -> None:
    from django.db import connection

    from portal import health

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught, health._bounded_queries():
        connection.cursor().execute("SELECT pg_sleep(5)")

    assert time.monotonic() - started < 2
    assert health._failed(caught.value).detail == "timed out (OperationalError)"
