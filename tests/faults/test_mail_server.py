"""A mail server that never answers delays no transaction: the mail is an outbox job sent after
commit, it gives up after EMAIL_TIMEOUT, and it is sent once the server answers again."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from django.db import transaction

from portal import mail, outbox
from portal.models import OutboxJob, User
from tests.faults.smtp import SmtpSink

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def sink(settings) -> Iterator[SmtpSink]:
    server = SmtpSink(hung=True)
    settings.MAILERS = {
        "default": {
            "BACKEND": SMTP,
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 1},
        }
    }
    yield server
    server.stop()


@pytest.fixture
def supervisor_with_mail(supervisor) -> User:
    User.objects.filter(pk=supervisor.pk).update(email="sam@example.org")
    return supervisor


def test_a_hung_mail_server_costs_the_job_its_timeout_then_it_is_retried(
    sink, supervisor_with_mail, time_machine
) -> None:
    time_machine.move_to(T0, tick=True)
    with transaction.atomic():
        mail.enqueue_staff_mail("urgent_escalated", [supervisor_with_mail.pk])
    [job] = OutboxJob.objects.all()

    started = time.monotonic()
    assert outbox.run(job.pk) is False
    # Bounded by the mailer's timeout (1 s here), not a speed figure.
    assert time.monotonic() - started < 5
    assert sink.connected.is_set()
    job.refresh_from_db()
    assert job.last_error in {"TimeoutError", "SMTPServerDisconnected"} and job.done_at is None

    sink.hung = False  # the mail server is back
    time_machine.move_to(job.run_after, tick=True)
    assert outbox.sweep() == 1
    [message] = sink.messages
    assert b"sam@example.org" in message and b"Urgent tip not claimed in time" in message
