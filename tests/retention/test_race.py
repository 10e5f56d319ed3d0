"""A purge and a staff action racing on one tip: the purge takes the tip's row lock with
`skip_locked`, so a tip being edited right now is left (postponed) for the next run, whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from retention.actions import do_purge_expired
from retention.models import TipTombstone
from tests.databases import postgres_only
from tips.models import Tip


@postgres_only("skip_locked needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_a_purge_skips_a_tip_a_staff_action_holds(submit, close, settings):
    settings.RETENTION_SPAM_DAYS = 0
    tip = close(submit()[0], "spam")
    locked, purged = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def staff_action() -> None:
        try:
            with transaction.atomic():
                row = Tip.objects.select_for_update().get(pk=tip.pk)
                locked.set()
                assert purged.wait(timeout=60)
                row.save(update_fields=["updated_at"])
        except BaseException as exc:
            errors.append(exc)
            locked.set()
        finally:
            connection.close()

    worker = threading.Thread(target=staff_action)
    worker.start()
    assert locked.wait(timeout=60)
    try:
        busy = do_purge_expired()
    finally:
        purged.set()
        worker.join(timeout=60)

    assert errors == []
    assert (busy.purged, busy.postponed) == (0, 1)
    assert Tip.objects.filter(pk=tip.pk).exists() and not TipTombstone.objects.exists()
    assert do_purge_expired().purged == 1
