"""The Celery app. Tasks get ids, never plaintext; every task is late-acked.

`acks_late` + `reject_on_worker_lost` (set in settings): a worker killed mid-task leaves the
message unacknowledged, so the broker hands it to another worker instead of losing it. Tasks
must therefore be idempotent.

One way to dispatch from inside a transaction: `task.delay_on_commit(...)` (Celery's
DjangoTask), so a worker never sees an id whose row has not been committed yet.
"""

import os

from celery import Celery
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_connection(timeout: float) -> Connection:
    """A connection to the configured broker that gives up after `timeout` seconds to connect
    or to answer, and never retries: for work that must not wait on a hung broker (the outbox
    nudge after a commit, the readiness probe)."""
    from django.conf import settings  # noqa: PLC0415 - read at call time, as tests override it

    return app.connection_for_write(
        url=settings.CELERY_BROKER_URL,
        connect_timeout=timeout,
        transport_options={
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "max_retries": 0,
        },
    )
