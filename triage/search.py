"""Finding a tip by what a person types: its number, its code, or an identifier in it.

A tip number (`T-2026-00421`, or `2026-421`) or a tip code is a plain lookup. Anything else is
tried as an identifier of every kind (phone, email, handle, URL, domain, plate): each reading
that normalises is looked up through the blind indexes (tips.Identifier, 16-bit keyed hashes;
there is no plaintext index), and every candidate is decrypted in the searcher's session and
kept only when it really holds that normalised value, exactly as related tips are confirmed.
An identifier search is audited (TIPS_SEARCHED) with the kinds tried and the counts, never the
value typed: the log holds no tip content.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

import audit
from audit import Action
from portal import vault
from portal.models import User
from portal.vault.blind_index import Kind, index_of_normalized, normalize
from tips import numbering
from tips.models import Identifier, Tip
from triage.reading import identifiers_in, require_triage_desk

MAX_QUERY = 200
# A 16-bit index gives about 15 false candidates per million entries of a kind; this bounds
# the decryption work of one search however the index grows.
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class Found:
    tips: QuerySet[Tip]
    by: str  # "number", "code" or "identifier"


def readings(text: str) -> list[tuple[str, str]]:
    """Every `(kind, normalised value)` the typed text can be, in a stable order."""
    pairs = []
    for kind in Kind:
        value = normalize(kind.value, text)
        if value:
            pairs.append((kind.value, value))
    return pairs


def needs_keys(text: str) -> bool:
    """Whether searching for this text decrypts (an identifier), or is a plain lookup."""
    text = text.strip()[:MAX_QUERY]
    return bool(text) and numbering.parse_number(text) is None and _as_code(text) is None


def _as_code(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def search(tips: QuerySet[Tip], text: str, *, actor: User, unlocked: vault.Keyring | None) -> Found:
    """The tips among `tips` that the typed text names. Identifier searches need `unlocked`."""
    text = text.strip()[:MAX_QUERY]
    number = numbering.parse_number(text)
    if number is not None:
        return Found(tips.filter(number=number), "number")
    code = _as_code(text)
    if code is not None:
        return Found(tips.filter(code=code), "code")
    if unlocked is None:
        raise vault.Locked("Unlock the vault to search by identifier.")
    require_triage_desk(unlocked)
    wanted = readings(text)
    matches: list[int] = []
    candidates: list[Tip] = []
    if wanted:
        pairs = Q()
        for kind, value in wanted:
            digest = int.from_bytes(index_of_normalized(kind, value), "big")
            pairs |= Q(kind=kind, digest=digest)
        candidate_ids = Identifier.objects.filter(pairs).values("tip_id")
        candidates = list(
            tips.filter(pk__in=candidate_ids)
            .only("pk", "code", "content")
            .order_by("-created_at")[:MAX_CANDIDATES]
        )
        keys = vault.open_record_keys([row.vault_record for row in candidates], unlocked)
        for row in candidates:
            held = identifiers_in(row, keys)
            if any(pair in held for pair in wanted):
                matches.append(row.pk)
    audit.record(
        Action.TIPS_SEARCHED,
        actor=actor,
        kinds=[kind for kind, _value in wanted],
        candidates=len(candidates),
        matches=len(matches),
    )
    return Found(tips.filter(pk__in=matches), "identifier")
