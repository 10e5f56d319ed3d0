"""Reading tips: every decryption goes through here, and every one is audited.

A list never decrypts anything (the queue shows only plaintext triage metadata); the tip page
opens one data key and decrypts what it shows, recording TIP_VIEWED (and NOTE_VIEWED,
MESSAGES_VIEWED for the parts it shows). Contact details are never part of the tip view: they
open only through an approved reveal (`reveal_contact`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

import audit
from audit import Action
from portal import vault
from portal.models import User
from portal.outcomes import NotYours
from tips.models import Attachment, Identifier, Tip
from triage.models import ContactReveal, Link


@dataclass(frozen=True)
class AttachmentInfo:
    code: str
    name: str
    content_type: str
    size: int
    variant: str
    at: datetime
    added_later: bool = False  # sent with a reply, after the tip
    photo: int = 0  # its number among the tip's previewable photos (1, 2, ...); 0: no preview


@dataclass(frozen=True)
class Entry:
    """A note, a thread message or a recorded decision, decrypted."""

    id: str
    at: datetime
    author: str
    body: str
    sender: str = ""
    kind: str = ""
    from_value: str = ""
    to_value: str = ""


@dataclass(frozen=True)
class TipView:
    tip: Tip
    content: dict[str, Any]
    attachments: list[AttachmentInfo]
    notes: list[Entry]
    messages: list[Entry]
    changes: list[Entry]


def _text(key: vault.RecordKey, field: str, sealed: bytes | memoryview | None) -> str:
    return key.decrypt(field, bytes(sealed)).decode() if sealed is not None else ""


def _attachment_key(
    attachment: Attachment, tip_key: vault.RecordKey, unlocked: vault.Keyring
) -> vault.RecordKey:
    """A file sent with the tip is sealed under the tip's key; one the tipster added with a
    reply, under that message's key (the tip's key is still opened first: it proves the desk)."""
    if attachment.message is None:
        return tip_key
    return vault.open_record_key(attachment.message.vault_record, unlocked)


def _attachment_infos(
    tip: Tip, tip_key: vault.RecordKey, unlocked: vault.Keyring
) -> list[AttachmentInfo]:
    """The tip's files, names decrypted; the keys of the replies they came with are opened in
    one query, so the page costs the same however many files there are. The files themselves
    are not opened: a preview decrypts its photo when the browser asks for it."""
    rows = list(tip.attachments.select_related("message").order_by("created_at", "pk"))
    keys = vault.open_record_keys(
        [row.message.vault_record for row in rows if row.message is not None], unlocked
    )

    def key_of(row: Attachment) -> vault.RecordKey:
        if row.message is None:
            return tip_key
        found = keys.get(row.message.vault_record)
        if found is None:  # left out of the batch: opened alone, it raises why
            return _attachment_key(row, tip_key, unlocked)
        return found

    infos, photos = [], 0
    for row in rows:
        if row.previewable:
            photos += 1
        infos.append(
            AttachmentInfo(
                code=str(row.code),
                name=_text(key_of(row), row.name_field, row.name),
                content_type=row.content_type,
                size=row.size,
                variant=row.variant,
                at=row.created_at,
                added_later=row.message_id is not None,
                photo=photos if row.previewable else 0,
            )
        )
    return infos


def open_tip(tip: Tip, unlocked: vault.Keyring, *, actor: User) -> TipView:
    """Decrypt what the tip page shows. Raises NoDeskAccess / Shredded / DecryptionFailed."""
    key = vault.open_record_key(tip.vault_record, unlocked)
    content = json.loads(key.decrypt("content", bytes(tip.content)))
    attachments = _attachment_infos(tip, key, unlocked)
    notes = [
        Entry(
            id=str(note.code),
            at=note.created_at,
            author=note.author.username,
            body=_text(key, note.body_field, note.body),
        )
        for note in tip.notes.select_related("author").order_by("created_at", "pk")
    ]
    changes = [
        Entry(
            id=str(change.code),
            at=change.created_at,
            author=change.actor.username,
            body=_text(key, change.reason_field, change.reason),
            kind=change.kind,
            from_value=change.from_value,
            to_value=change.to_value,
        )
        for change in tip.changes.select_related("actor").order_by("created_at", "pk")
    ]
    messages = read_thread(tip, unlocked)
    with transaction.atomic():
        audit.record(Action.TIP_VIEWED, actor=actor, target=tip)
        if notes:
            audit.record(Action.NOTE_VIEWED, actor=actor, target=tip, notes=len(notes))
        if messages:
            audit.record(Action.MESSAGES_VIEWED, actor=actor, target=tip, messages=len(messages))
    return TipView(tip, content, attachments, notes, messages, changes)


def require_triage_desk(unlocked: vault.Keyring) -> None:
    """A reader without the triage desk key is refused (vault.NoDeskAccess: 403, or the locked
    page), never shown an empty thread or an empty list that looks like the truth."""
    unlocked.desk_private_key(vault.triage_desk())


def read_thread(tip: Tip, unlocked: vault.Keyring) -> list[Entry]:
    rows = list(tip.messages.select_related("author").order_by("created_at", "pk"))
    keys = vault.open_record_keys([row.vault_record for row in rows], unlocked)
    return [
        Entry(
            id=str(row.code),
            at=row.created_at,
            author=row.author.username if row.author else "",
            body=keys[row.vault_record].decrypt("body", bytes(row.body)).decode(),
            sender=row.sender,
        )
        for row in rows
        if row.vault_record in keys
    ]


def read_notes(tip: Tip, unlocked: vault.Keyring, *, actor: User) -> list[Entry]:
    key = vault.open_record_key(tip.vault_record, unlocked)
    notes = [
        Entry(
            id=str(note.code),
            at=note.created_at,
            author=note.author.username,
            body=_text(key, note.body_field, note.body),
        )
        for note in tip.notes.select_related("author").order_by("created_at", "pk")
    ]
    audit.record(Action.NOTE_VIEWED, actor=actor, target=tip, notes=len(notes))
    return notes


def read_messages(tip: Tip, unlocked: vault.Keyring, *, actor: User) -> list[Entry]:
    # The tip page's `open_tip` proves the desk by opening the tip's own key; the thread alone
    # opens only per-message keys, which a reader without the desk silently lacks.
    require_triage_desk(unlocked)
    messages = read_thread(tip, unlocked)
    audit.record(Action.MESSAGES_VIEWED, actor=actor, target=tip, messages=len(messages))
    return messages


def attachment_chunks(
    tip: Tip,
    attachment: Attachment,
    unlocked: vault.Keyring,
    *,
    actor: User,
    preview: bool = False,
) -> tuple[str, Iterator[bytes]]:
    """The decrypted name and a chunk iterator for a streaming download, or for a preview of a
    cleaned photo (`preview=True`: ValueError for a file that has none; `access` answers 404
    before that). Audit: ATTACHMENT_DOWNLOADED or ATTACHMENT_PREVIEWED (before the first byte
    leaves)."""
    if preview and not attachment.previewable:
        raise ValueError(f"{attachment} has no preview")
    key = _attachment_key(attachment, vault.open_record_key(tip.vault_record, unlocked), unlocked)
    name = _text(key, attachment.name_field, attachment.name)
    audit.record(
        Action.ATTACHMENT_PREVIEWED if preview else Action.ATTACHMENT_DOWNLOADED,
        actor=actor,
        target=tip,
        attachment=str(attachment.code),
    )
    handle = default_storage.open(attachment.blob, "rb")

    def chunks() -> Iterator[bytes]:
        with handle:
            yield from key.decrypt_chunks(attachment.blob_field, handle)

    return name, chunks()


def reveal_contact(
    reveal: ContactReveal, unlocked: vault.Keyring, *, actor: User
) -> dict[str, Any]:
    """Open the contact details under an approved reveal. Audit: CONTACT_REVEALED."""
    if reveal.status != ContactReveal.Status.APPROVED or reveal.requested_by_id != actor.pk:
        raise NotYours(_("Contact details open only under your own approved request."))
    tip = reveal.tip
    key = vault.open_record_key(tip.vault_record, unlocked)
    contact = json.loads(key.decrypt("contact", bytes(tip.contact))) if tip.contact else {}
    audit.record(Action.CONTACT_REVEALED, actor=actor, target=tip, reveal=str(reveal.code))
    return contact


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str


def audit_trail(tip: Tip, limit: int = 200) -> list[AuditLine]:
    """Who did what to this tip, from the audit log itself (one query, nothing decrypted)."""
    from audit.models import AuditEvent  # noqa: PLC0415 - audit models load after apps

    rows = list(
        AuditEvent.objects.filter(target_type="tips.tip", target_id=str(tip.code)).order_by(
            # Newest first; entries not linked into the chain yet (no seq) are the newest.
            F("seq").desc(nulls_first=True),
            "-id",
        )[:limit]
    )
    ids = {row.actor for row in rows if row.actor.isdigit()}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))
    return [
        AuditLine(
            row.at,
            names.get(int(row.actor), row.actor) if row.actor.isdigit() else row.actor,
            str(Action(row.action).label),
        )
        for row in rows
    ]


# --- related tips -----------------------------------------------------------------------------


def identifiers_in(
    row: Tip, keys: dict[tuple[str, str], vault.RecordKey]
) -> dict[tuple[str, str], None]:
    """The normalised `(kind, value)` identifiers of a tip, decrypted with its opened key."""
    from tips import extract  # noqa: PLC0415 - keep reading importable without the extractor

    key = keys.get(row.vault_record)
    if key is None:
        return {}
    content = json.loads(key.decrypt("content", bytes(row.content)))
    if "found" in content:  # normalised at submission, sealed with the tip
        return dict.fromkeys(tuple(pair) for pair in content["found"])
    texts = [
        content.get(name, "") for name in ("description", "when", "location", "people", "vehicles")
    ]
    found = extract.extract_all(content.get("identifiers", {}), *texts)
    return {(item.kind, item.value): None for item in found}


@dataclass(frozen=True)
class Related:
    tip: Tip
    shared: list[dict[str, str]]  # [{"kind", "value"}], confirmed by decrypting both tips
    linked: str = ""  # the link kind when linked by hand or as a duplicate


def related_tips(
    tip: Tip, unlocked: vault.Keyring, *, actor: User, limit: int = 50
) -> list[Related]:
    """Tips that share an identifier with this one, confirmed by decryption, plus linked tips.

    The blind index is 16 bits, so about one in 65,536 unrelated entries matches: candidates are
    decrypted in the reader's session and kept only when an identifier really is the same.
    Audit: RELATED_VIEWED.
    """
    require_triage_desk(unlocked)
    pairs = Q()
    for kind, digest in Identifier.objects.filter(tip=tip).values_list("kind", "digest"):
        pairs |= Q(identifiers__kind=kind, identifiers__digest=digest)
    matching = Tip.objects.filter(pairs) if pairs else Tip.objects.none()
    candidates = list(
        matching.filter(purged_at__isnull=True)
        .exclude(pk=tip.pk)
        .distinct()
        .order_by("-created_at")[: limit * 4]
    )
    linked = {
        (link.other_id if link.tip_id == tip.pk else link.tip_id): link.kind
        for link in Link.objects.filter(tip=tip) | Link.objects.filter(other=tip)
    }
    candidates += Tip.objects.filter(pk__in=linked).exclude(pk__in=[c.pk for c in candidates])
    keys = vault.open_record_keys(
        [tip.vault_record, *(c.vault_record for c in candidates)], unlocked
    )

    def identifiers_of(row: Tip) -> dict[tuple[str, str], None]:
        return identifiers_in(row, keys)

    own = identifiers_of(tip)
    results = []
    for candidate in candidates:
        shared = [
            {"kind": kind, "value": value}
            for kind, value in identifiers_of(candidate)
            if (kind, value) in own
        ]
        if shared or candidate.pk in linked:
            results.append(
                Related(
                    candidate,
                    sorted(shared, key=lambda s: (s["kind"], s["value"])),
                    linked.get(candidate.pk, ""),
                )
            )
    audit.record(Action.RELATED_VIEWED, actor=actor, target=tip, related=len(results))
    return results[:limit]
