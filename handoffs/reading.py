"""Reading handoffs: every decryption audited (HANDOFF_VIEWED).

The liaison's view: the request summary, the identifying pieces the person consented to (while
consent lasts: a revoked or expired consent has already removed the organization's wrap), and
their organization's own notes. The task force's view: what it sent, the decline reason, and
the status and outcome code — never the liaison's notes, which only the organization's desk
opens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import audit
from audit import Action
from handoffs.models import Handoff
from portal import vault
from portal.models import User


@dataclass(frozen=True)
class Note:
    kind: str
    method: str
    body: str
    author: str
    at: datetime


@dataclass(frozen=True)
class HandoffView:
    handoff: Handoff
    summary: str
    identity: dict[str, Any] = field(default_factory=dict)
    identity_withdrawn: bool = False
    decline_reason: str = ""
    notes: list[Note] = field(default_factory=list)


def _json(key: vault.RecordKey, name: str, sealed: bytes | memoryview) -> dict[str, Any]:
    return json.loads(key.decrypt(name, bytes(sealed)))


def open_handoff(handoff: Handoff, unlocked: vault.Keyring, *, actor: User) -> HandoffView:
    request_key = vault.open_record_key(handoff.request_record, unlocked)
    summary = _json(request_key, "request", handoff.request).get("summary", "")
    decline = (
        request_key.decrypt("decline-reason", bytes(handoff.decline_reason)).decode()
        if handoff.decline_reason is not None
        else ""
    )
    identity: dict[str, Any] = {}
    withdrawn = False
    if handoff.identity is not None:
        try:
            identity_key = vault.open_record_key(handoff.identity_record, unlocked)
            identity = _json(identity_key, "identity", handoff.identity)
        except (vault.NoDeskAccess, vault.Shredded):
            withdrawn = True  # consent revoked or expired: this reader's wrap is gone
    notes: list[Note] = []
    if actor.may("handoffs.read_care_notes"):
        rows = list(handoff.activities.select_related("author").order_by("created_at", "pk"))
        keys = vault.open_record_keys([row.vault_record for row in rows], unlocked)
        notes = [
            Note(
                row.kind,
                row.method,
                keys[row.vault_record].decrypt("body", bytes(row.body)).decode(),
                row.author.username,
                row.created_at,
            )
            for row in rows
            if row.vault_record in keys
        ]
    audit.record(Action.HANDOFF_VIEWED, actor=actor, target=handoff)
    return HandoffView(handoff, summary, identity, withdrawn, decline, notes)
