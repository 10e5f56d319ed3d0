"""Periodic audit work (Celery beat, see CELERY_BEAT_SCHEDULE in settings).

All are safe to run twice or concurrently: the sequencer links each entry once (under the chain
lock), a checkpoint is written only when the log grew (under the same lock), verification only
reads, and the stream ships from a cursor under its own lock.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from audit import chain, notary, sequencer, stream
from audit.events import Action
from audit.record import SYSTEM, record

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sequence_audit() -> None:
    """Backstop of the sequencer run after each commit: link any entry still unlinked.

    Entries are normally linked within milliseconds by the process that wrote them (or by the
    one holding the chain lock then); this catches a process that died in between.
    """
    linked = sequencer.sequence(wait=True)
    if linked:
        logger.info("audit sequencer backstop linked %s entries", linked)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def write_checkpoint() -> None:
    """Sign and store a checkpoint if the log grew, and copy it to the checkpoint file."""
    try:
        written = notary.write_checkpoint()
    except notary.CheckpointRefusedError as exc:
        # Not retried: the log no longer extends what was signed, and a person must look.
        logger.error("audit checkpoint refused: %s", exc)
        return
    if written:
        logger.info("audit checkpoint written")


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def verify_log() -> None:
    """Nightly full verification; a failure is logged for alerting and recorded in the log.

    A success is not recorded: an entry per run would make every quiet night grow the log.
    """
    report = chain.verify_log()
    if report.ok:
        logger.info("%s", report.summary())
        return
    logger.error("%s", report.summary())
    record(
        Action.AUDIT_VERIFICATION_FAILED,
        actor=SYSTEM,
        first_bad=report.first_bad,
        problem=report.problem[:500],
    )


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def stream_audit() -> None:
    """Ship new audit entries to the SIEM from the persisted cursor (audit/stream.py).

    A target outage is not retried here: the cursor stays put and the next beat run resumes.
    """
    shipped = stream.ship()
    if shipped is not None and shipped.problem:
        logger.warning("audit stream: %s entries waiting", shipped.waiting)
