"""What a tip page view writes to the log, without opening a tip."""

from audit import Action, record
from audit.testing import link_entries


def view_tip(tip, actor, *, notes=3, messages=2, related=4) -> list[int]:
    """What `triage.reading` records for one tip page, in its order."""
    entries = [record(Action.TIP_VIEWED, actor=actor, target=tip)]
    if notes:
        entries.append(record(Action.NOTE_VIEWED, actor=actor, target=tip, notes=notes))
    if messages:
        entries.append(record(Action.MESSAGES_VIEWED, actor=actor, target=tip, messages=messages))
    entries.append(record(Action.RELATED_VIEWED, actor=actor, target=tip, related=related))
    link_entries()  # a tip page view is shown as one once the sequencer has chained it
    for entry in entries:
        entry.refresh_from_db()
    return [entry.seq for entry in entries]
