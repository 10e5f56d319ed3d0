"""Every state change of the public side: submitting a tip, the tipster adding to it, and the
urgent notification that follows a submission.

Submitting: everything is validated before this module is called; here the content is sealed
under a fresh data key (wrapped to the triage desk only), and the tip row, its attachments, its
blind indexes, its score and the TIP_SUBMITTED entry commit in one transaction. The receipt is
returned only after that commit, so a tipster never holds a receipt for a tip that is not there,
and nothing after the commit can withhold it. Urgent tips record an outbox job (portal.outbox)
with the tip, so the notification survives a broker outage.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

import audit
from audit import Action
from portal import mail, outbox, vault
from portal.models import User
from portal.roles import roles_with
from portal.vault import tipster
from retention import dates as retention
from tips import extract, numbering, scoring, signals
from tips.attachments import CleanedAttachment
from tips.models import (
    LEVEL_RANK,
    Attachment,
    Identifier,
    Message,
    PriorityLevel,
    SubmissionRetry,
    Tip,
)
from tips.submission import TipSubmission

logger = logging.getLogger(__name__)


class RetryMismatch(Exception):  # noqa: N818  # an outcome, like PermissionDenied
    """The retry key came back with a different submission: it names another request."""


@dataclass(frozen=True)
class SubmittedTip:
    tip: Tip
    receipt: str  # shown to the tipster; kept only sealed under their retry key
    status: str  # what the tipster was told at submission
    replayed: bool = False  # the answer to an earlier copy of this submission


def score_submission(submission: TipSubmission, identifier_count: int) -> scoring.Priority:
    facts = scoring.TipFacts(
        immediate_danger=scoring.Answer(submission.immediate_danger),
        minor_involved=scoring.Answer(submission.minor_involved),
        victim_asking_for_help=submission.victim_self_report,
        recency=scoring.Recency(submission.recency),
        has_location=bool(submission.location.strip()),
        has_area=bool(submission.area),
        identifier_count=identifier_count,
        attachment_count=len(submission.attachments),
        indicators=submission.indicators,
        # Scanned in memory before sealing; only the codes go on.
        signals=signals.strong_signals(submission.free_texts()),
    )
    return scoring.score(facts)


def sla_for(level: str) -> timedelta:
    """How long a tip of this level may wait to be claimed (`TRIAGE_SLA_MINUTES`)."""
    return timedelta(minutes=settings.TRIAGE_SLA_MINUTES[level])


def do_submit_tip(
    submission: TipSubmission, *, retry_key: str = "", same_submission_only: bool = False
) -> SubmittedTip:
    """Seal and store a tip; returns it with its receipt once committed. Audit: TIP_SUBMITTED.

    `retry_key` is the client's secret for this submission (the API's Idempotency-Key, the
    form's one-time token). A second call with it inside the retry window stores nothing and
    returns the first answer, receipt included. With `same_submission_only` (the API), a key
    that comes back with a different submission raises RetryMismatch instead.

    Once the transaction has committed, nothing can turn this into an error or remove a stored
    file: what follows the tip (the urgent notification) is an outbox job committed with it.
    """
    fingerprint = _fingerprint(submission) if retry_key else ""
    if retry_key and (earlier := _earlier_answer(retry_key, fingerprint, same_submission_only)):
        return earlier
    receipt = tipster.new_receipt()
    found = extract.extract_all(submission.identifiers, *submission.free_texts())
    indexes = extract.index_values(found)
    priority = score_submission(submission, len(found))
    stored_blobs: list[str] = []
    # Whether the COMMIT was sent (`reached_commit`) and whether it is known to have succeeded
    # (`committed`): a connection lost during the COMMIT leaves the outcome unknown, and the
    # files of a tip that may be stored are never removed.
    reached_commit = committed = False

    def mark_committed() -> None:
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            transaction.on_commit(mark_committed)  # registered first, so it runs first
            tip = _store_tip(submission, receipt, priority, found)
            stored_blobs = _store_attachments(
                tip,
                submission.attachments,
                tip._record_key,  # type: ignore[attr-defined]  # set when the tip was sealed
            )
            Identifier.objects.bulk_create(
                [
                    Identifier(tip=tip, kind=kind, digest=int.from_bytes(digest, "big"))
                    for kind, digest in dict.fromkeys(indexes)
                ]
            )
            if retry_key:
                _keep_answer(retry_key, tip, receipt, fingerprint)
            if tip.is_urgent:
                outbox.enqueue("tips.tasks.notify_urgent_tip", tip.pk)
            # Last, right before COMMIT: the year's counter row stays locked to the commit
            # (tips.numbering), which serializes submissions from here until the transaction
            # ends. The audit entry after it takes no lock (it is linked after the commit).
            numbering.number_tip(tip)
            audit.record(
                Action.TIP_SUBMITTED,
                actor="anonymous",
                target=tip,
                what=tip.what,
                priority_level=tip.priority_level,
                attachments=tip.attachment_count,
                victim_self_report=tip.victim_self_report,
            )
            reached_commit = True
    except IntegrityError:
        if not reached_commit:
            _discard_blobs(stored_blobs)
        # A concurrent copy of the same submission stored its tip first: answer with that one.
        if retry_key and (earlier := _earlier_answer(retry_key, fingerprint, same_submission_only)):
            return earlier
        raise
    except Exception as exc:
        if not committed:
            if not reached_commit:
                # The wraps rolled back with the rows, so these blobs are unreadable already;
                # removing them keeps storage tidy.
                _discard_blobs(stored_blobs)
            raise
        # After the commit the tip is durable: its receipt is shown whatever failed here.
        logger.warning(
            "work after a committed tip failed (%s); the tip is stored", type(exc).__name__
        )
    return SubmittedTip(tip=tip, receipt=receipt, status=tip.tipster_status.value)


def _fingerprint(submission: TipSubmission) -> str:
    """What makes two submissions the same one; kept only inside the sealed answer."""
    digest = hashlib.sha256(
        _json(
            {
                "fields": [
                    submission.what,
                    submission.immediate_danger,
                    submission.minor_involved,
                    submission.recency,
                    submission.area,
                    submission.language,
                    submission.victim_self_report,
                ],
                "content": submission.sealed_content(),
                "contact": submission.contact.as_dict(),
                "attachments": [
                    hashlib.sha256(item.data).hexdigest() for item in submission.attachments
                ],
            }
        )
    )
    return digest.hexdigest()


def retry_window() -> timedelta:
    return timedelta(hours=settings.TIP_RETRY_WINDOW_HOURS)


def _keep_answer(retry_key: str, tip: Tip, receipt: str, fingerprint: str) -> None:
    lookup = vault.retry.retry_lookup(retry_key)
    # A copy from an earlier window may still be waiting for the hourly pruning.
    SubmissionRetry.objects.filter(
        lookup=lookup, created_at__lt=timezone.now() - retry_window()
    ).delete()
    answer = {"receipt": receipt, "status": tip.tipster_status.value, "fingerprint": fingerprint}
    SubmissionRetry.objects.create(
        lookup=lookup, answer=vault.retry.seal_answer(retry_key, _json(answer)), tip=tip
    )


def _earlier_answer(
    retry_key: str, fingerprint: str, same_submission_only: bool
) -> SubmittedTip | None:
    copy = (
        SubmissionRetry.objects.filter(
            lookup=vault.retry.retry_lookup(retry_key),
            created_at__gte=timezone.now() - retry_window(),
        )
        .select_related("tip")
        .first()
    )
    if copy is None:
        return None
    try:
        answer = json.loads(vault.retry.open_answer(retry_key, bytes(copy.answer)))
    except vault.DecryptionFailed:
        raise RetryMismatch from None
    if same_submission_only and not hmac.compare_digest(answer["fingerprint"], fingerprint):
        raise RetryMismatch
    return SubmittedTip(
        tip=copy.tip, receipt=answer["receipt"], status=answer["status"], replayed=True
    )


def do_forget_retry_copies() -> int:
    """Delete the sealed answers whose retry window has ended; returns how many."""
    deleted, _ = SubmissionRetry.objects.filter(
        created_at__lt=timezone.now() - retry_window()
    ).delete()
    return deleted


def _store_tip(
    submission: TipSubmission,
    receipt: str,
    priority: scoring.Priority,
    found: set[extract.Identifier],
) -> Tip:
    tip = Tip(
        what=submission.what,
        category=submission.what,
        immediate_danger=submission.immediate_danger,
        minor_involved=submission.minor_involved,
        victim_self_report=submission.victim_self_report,
        recency=submission.recency,
        area=submission.area,
        language=submission.language,
        priority_score=priority.score,
        computed_level=priority.level.value,
        priority_level=priority.level.value,
        level_rank=LEVEL_RANK[priority.level.value],
        priority_reasons=[reason.as_dict() for reason in priority.reasons],
        identifier_count=len(found),
        attachment_count=len(submission.attachments),
        has_contact=not submission.contact.is_empty(),
        may_contact=submission.contact.may_contact,
        receipt_lookup=tipster.receipt_lookup(receipt),
        tipster_public_key=tipster.tipster_keypair(receipt).public_bytes(),
        sla_due_at=timezone.now() + sla_for(priority.level.value),
    )
    key = vault.new_record_key(tip.vault_record, desks=[vault.TRIAGE_SLUG])
    document = submission.sealed_content()
    # The normalised identifiers, sealed with the rest: related-tips confirmation compares these
    # instead of extracting them again from every candidate's text.
    document["found"] = sorted([item.kind, item.value] for item in found)
    tip.content = key.encrypt("content", _json(document))
    if tip.has_contact:
        tip.contact = key.encrypt("contact", _json(submission.contact.as_dict()))
    tip._record_key = key  # type: ignore[attr-defined] # attachments reuse the tip's data key
    tip.save(force_insert=True)
    return tip


def _store_attachments(
    tip: Tip,
    attachments: Sequence[CleanedAttachment],
    key: vault.RecordKey,
    *,
    message: Message | None = None,
) -> list[str]:
    """Seal each file's name and bytes under `key` and store them; returns the blob names, so a
    caller whose transaction fails can remove them (`_discard_blobs`)."""
    rows: list[Attachment] = []
    stored: list[str] = []
    for cleaned in attachments:
        copies = [(Attachment.Variant.CLEANED, cleaned.data)]
        if cleaned.original is not None:
            copies.append((Attachment.Variant.ORIGINAL, cleaned.original))
        for variant, data in copies:
            row = Attachment(
                tip=tip,
                message=message,
                variant=variant,
                content_type=cleaned.content_type,
                size=len(data),
            )
            row.name = key.encrypt(row.name_field, cleaned.name.encode())
            sealed = io.BytesIO()
            key.encrypt_stream(row.blob_field, io.BytesIO(data), sealed)
            row.blob = default_storage.save(
                f"attachments/{secrets.token_hex(20)}", ContentFile(sealed.getvalue())
            )
            stored.append(row.blob)
            rows.append(row)
    Attachment.objects.bulk_create(rows)
    return stored


def _discard_blobs(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _json(document: Mapping[str, object]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# --- the tipster thread ------------------------------------------------------------------------


def add_to_thread(tip: Tip, body: str, *, sender: str, author: User | None = None) -> Message:
    """A message of the tipster thread, in the caller's transaction (the caller audits it).

    Sealed under a new data key wrapped to the triage desk and to the tipster's key, so both
    sides read it and neither needs the other's private key to write."""
    message, _key = _seal_message(tip, body, sender=sender, author=author)
    return message


def _seal_message(
    tip: Tip, body: str, *, sender: str, author: User | None = None
) -> tuple[Message, vault.RecordKey]:
    message = Message(tip=tip, sender=sender, author=author)
    key = vault.new_record_key(
        message.vault_record,
        desks=[vault.TRIAGE_SLUG],
        tipster_public_key=bytes(tip.tipster_public_key),
    )
    message.body = key.encrypt("body", body.encode())
    message.save(force_insert=True)
    Tip.objects.filter(pk=tip.pk).update(updated_at=timezone.now())
    return message, key


def do_add_tipster_message(
    tip: Tip, body: str, attachments: Sequence[CleanedAttachment] = ()
) -> Message:
    """The tipster adds information or replies, with cleaned photos or documents if any.
    Audit: TIPSTER_MESSAGE_ADDED (with how many files).

    The files are sealed under the message's own data key, not the tip's: the public side holds
    only the tipster's key, which opens the thread but never the tip. The rows, the wraps, the
    blobs and the audit entry commit together; blobs of a failed transaction are removed."""
    stored_blobs: list[str] = []
    # As for a tip: a connection lost during the COMMIT leaves the outcome unknown, and the
    # files of a message that may be stored are never removed.
    reached_commit = False
    try:
        with transaction.atomic():
            message, key = _seal_message(tip, body, sender=Message.Sender.TIPSTER)
            stored_blobs = _store_attachments(tip, attachments, key, message=message)
            if attachments:
                Tip.objects.filter(pk=tip.pk).update(
                    attachment_count=F("attachment_count") + len(attachments)
                )
            retention.postpone(tip.pk)
            audit.record(
                Action.TIPSTER_MESSAGE_ADDED,
                actor="anonymous",
                target=tip,
                attachments=len(attachments),
            )
            reached_commit = True
    except Exception:
        if not reached_commit:
            # The rows and the wraps rolled back, so these blobs could never be read.
            _discard_blobs(stored_blobs)
        raise
    return message


# --- urgent tips -------------------------------------------------------------------------------


def do_notify_urgent(tip_id: int) -> int | None:
    """Tell the on-call investigators an urgent tip is waiting; returns how many were told, or
    None when there was nothing to do (already notified, or not urgent).

    Safe to run twice: a conditional update claims the notification, so a redelivered task sends
    nothing. The mail is an outbox job committed with the claim and sent after commit, so a slow
    mail server holds no transaction (and no audit lock); the outbox retries it until it goes.
    The message says only that an urgent tip arrived, never its content or its code.
    Audit: URGENT_NOTIFIED.
    """
    with transaction.atomic():
        claimed = Tip.objects.filter(
            pk=tip_id, urgent_notified_at__isnull=True, priority_level=PriorityLevel.URGENT
        ).update(urgent_notified_at=timezone.now())
        if claimed != 1:
            return None
        tip = Tip.objects.get(pk=tip_id)
        on_call = User.objects.filter(role__in=roles_with("alerts.urgent_tip"), on_call=True)
        return mail.alert_staff("urgent_tip", on_call, action=Action.URGENT_NOTIFIED, target=tip)
