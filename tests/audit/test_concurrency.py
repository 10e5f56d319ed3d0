"""Many writers at once: the chain stays linear and gapless (PostgreSQL, real connections)."""

import threading

import pytest
from django.db import connection, transaction

from audit import Action, record
from audit.chain import verify_log
from audit.models import AuditEvent
from tests.databases import postgres_only

THREADS, APPENDS = 8, 25


def run_writers(work) -> list[BaseException]:
    start = threading.Barrier(THREADS)  # all threads append at the same moment, no sleeps
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait(timeout=30)
            work(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@postgres_only("concurrent appenders need a real row lock")
@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_linear_under_concurrent_appends():
    def work(number: int) -> None:
        for index in range(APPENDS):
            record(Action.TIP_VIEWED, actor="system", target=("tips.tip", f"{number}-{index}"))

    assert run_writers(work) == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * APPENDS + 1))
    targets = set(AuditEvent.objects.values_list("target_id", flat=True))
    assert len(targets) == THREADS * APPENDS
    report = verify_log()
    assert (report.ok, report.checked) == (True, THREADS * APPENDS), report.problem


@postgres_only("concurrent appenders need a real row lock")
@pytest.mark.django_db(transaction=True)
def test_it_serializes_appends_inside_callers_transactions_that_roll_back():
    def work(number: int) -> None:
        for index in range(APPENDS // 5):
            try:
                with transaction.atomic():
                    record(Action.NOTE_ADDED, actor="system", n=number, i=index)
                    record(Action.NOTE_VIEWED, actor="system", n=number, i=index)
                    if index % 2:
                        raise LookupError("the action failed: its entries roll back")
            except LookupError:
                pass

    assert run_writers(work) == []
    kept = THREADS * (APPENDS // 5 - APPENDS // 10) * 2
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, kept + 1)
    )
    assert verify_log().ok
