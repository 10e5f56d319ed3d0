"""A range of the audit log as JSON lines, to check the chain outside the portal.

One JSON object per line, with a `type`:

- first, `{"type": "export", "format": 1, "origin", "from", "to", "exported_at"}`;
- then every signed checkpoint whose size lies in the range, oldest first:
  `{"type": "checkpoint", "size", "note"}` (the C2SP signed note, as filed);
- then the entries in seq order: `{"type": "entry", "v", "seq", "at", "actor", "action",
  "action_name", "target_type", "target_id", "details", "prev", "hash"}`, `prev` and `hash`
  the stored chain values in hex. The fields come from the hashed entry itself (`canon`), not
  from the indexed columns, so that `audit/offline_verify.py` re-encodes exactly the bytes that
  were hashed.

Details hold ids, codes and counts only (`audit.record` takes no content; free text such as a
transition's reason is sealed in the tip's change history and the entry names the change), so
an export carries no tip content.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone

from audit.chain import iter_chunks, linked_head
from audit.encoding import FORMAT_VERSION
from audit.events import Action
from audit.models import Checkpoint

EXPORT_FORMAT = 1


def export_line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _action_name(number: int) -> str:
    try:
        return Action(number).name
    except ValueError:
        return str(number)


def entry_line(seq: int, canon: bytes, prev: bytes, chain: bytes) -> dict[str, Any]:
    entry = json.loads(canon)
    target = entry["target"] or ["", ""]
    return {
        "type": "entry",
        "v": entry["v"],
        "seq": seq,
        "at": entry["at"],
        "actor": entry["actor"],
        "action": entry["action"],
        "action_name": _action_name(entry["action"]),
        "target_type": target[0],
        "target_id": target[1],
        "details": entry["details"],
        "prev": prev.hex(),
        "hash": chain.hex(),
    }


def head_seq() -> int:
    """The last linked entry: an export covers the chain, never entries still being linked."""
    return linked_head()


def export_range(first: int = 1, last: int | None = None) -> Iterator[str]:
    """The lines of an export of entries first..last (default: up to the current head)."""
    first = max(first, 1)
    last = head_seq() if last is None else min(last, head_seq())
    yield export_line(
        {
            "type": "export",
            "format": EXPORT_FORMAT,
            "entry_format": FORMAT_VERSION,
            "origin": settings.AUDIT_CHECKPOINT_ORIGIN,
            "from": first,
            "to": last,
            "exported_at": timezone.now().isoformat(),
        }
    )
    checkpoints = (
        Checkpoint.objects.filter(size__gte=first, size__lte=last)
        .order_by("size")
        .values_list("size", "note")
    )
    for size, note in checkpoints.iterator(chunk_size=500):
        yield export_line({"type": "checkpoint", "size": size, "note": note})
    if last < first:
        return
    for chunk in iter_chunks(after=first - 1, upto=last):
        for seq, canon, prev, chain in chunk:
            yield export_line(entry_line(seq, bytes(canon), bytes(prev), bytes(chain)))
