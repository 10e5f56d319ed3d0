"""Follow-up with a receipt: find the tip, read the thread with the tipster's own key.

A wrong receipt must not be told apart from a right one by how long the answer takes, or a
trafficker with a guessed code could learn that a tip exists. Both paths do the same work:
derive the lookup value and the tipster keypair, run the tip query and the thread query, open at
least one wrapped key with HPKE, and write one audit entry (FOLLOW_UP_VIEWED for a tip,
FOLLOW_UP_FAILED for no tip — which also makes guessing visible to supervisors). A thread with
many messages takes longer to decrypt than an empty one; that difference depends on the tip, not
on whether the code was right.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db import transaction
from django.db.models import Count, Q

import audit
from audit import Action
from portal import vault
from portal.vault import keys, tipster
from tips import actions
from tips.attachments import CleanedAttachment
from tips.models import Attachment, Message, Tip, TipsterStatus


@dataclass(frozen=True)
class ThreadMessage:
    sender: str
    body: str
    at: datetime
    files: int = 0  # photos or documents the tipster added with this message


@dataclass(frozen=True)
class Thread:
    tip: Tip
    status: TipsterStatus
    messages: list[ThreadMessage]


@lru_cache(maxsize=1)
def _decoy_wrap() -> bytes:
    """A wrapped key nobody can open, to spend an HPKE decapsulation on a wrong receipt."""
    decoy_reader = keys.PrivateKey.generate()
    return keys.wrap(b"\0" * 32, decoy_reader.public_bytes(), b"tip-portal/follow-up-decoy")


def _spend_decryption(reader: vault.PrivateKey) -> None:
    with contextlib.suppress(vault.DecryptionFailed):
        keys.unwrap(_decoy_wrap(), reader, b"tip-portal/follow-up-decoy")


def find_tip(receipt: str) -> tuple[Tip | None, vault.PrivateKey]:
    """The tip for `receipt` (None when there is none) and the tipster's key. InvalidReceipt
    when the code cannot be one (its format is public, so answering that fast leaks nothing)."""
    lookup = tipster.receipt_lookup(receipt)
    reader = tipster.tipster_keypair(receipt)
    tip = Tip.objects.filter(receipt_lookup=lookup, purged_at__isnull=True).first()
    return tip, reader


def read_thread(receipt: str) -> Thread | None:
    """The coarse status and the decrypted thread, or None for a receipt that matches no tip."""
    tip, reader = find_tip(receipt)
    messages = list(
        Message.objects.filter(tip=tip)
        .annotate(
            files=Count("attachments", filter=Q(attachments__variant=Attachment.Variant.CLEANED))
        )
        .order_by("created_at", "pk")
    )
    opened = vault.open_record_keys([message.vault_record for message in messages], reader)
    if not opened:
        _spend_decryption(reader)
    with transaction.atomic():
        if tip is None:
            audit.record(Action.FOLLOW_UP_FAILED, actor="anonymous")
            return None
        audit.record(Action.FOLLOW_UP_VIEWED, actor="anonymous", target=tip)
    thread = [
        ThreadMessage(
            sender=message.sender,
            body=opened[message.vault_record].decrypt("body", bytes(message.body)).decode(),
            at=message.created_at,
            files=message.files,  # the annotation above
        )
        for message in messages
        if message.vault_record in opened
    ]
    return Thread(tip=tip, status=tip.tipster_status, messages=thread)


def add_information(
    receipt: str, body: str, attachments: Sequence[CleanedAttachment] = ()
) -> Tip | None:
    """The tipster adds to their tip, with cleaned files if any; None (after the same work)
    when the receipt is wrong."""
    tip, reader = find_tip(receipt)
    if tip is None:
        # What a right receipt costs: two HPKE wraps (desk and tipster) and an audit entry.
        keys.wrap(b"\0" * 32, reader.public_bytes(), b"tip-portal/follow-up-decoy")
        keys.wrap(b"\0" * 32, reader.public_bytes(), b"tip-portal/follow-up-decoy")
        with transaction.atomic():
            audit.record(Action.FOLLOW_UP_FAILED, actor="anonymous")
        return None
    actions.do_add_tipster_message(tip, body, attachments)
    return tip
