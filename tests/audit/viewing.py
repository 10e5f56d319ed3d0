"""What a tip page view writes to the log, without opening a tip."""

from audit import Action, record


def view_tip(tip, actor, *, notes=3, messages=2, related=4) -> list[int]:
    """What `triage.reading` records for one tip page, in its order."""
    entries = [record(Action.TIP_VIEWED, actor=actor, target=tip)]
    if notes:
        entries.append(record(Action.NOTE_VIEWED, actor=actor, target=tip, notes=notes))
    if messages:
        entries.append(record(Action.MESSAGES_VIEWED, actor=actor, target=tip, messages=messages))
    entries.append(record(Action.RELATED_VIEWED, actor=actor, target=tip, related=related))
    return [entry.seq for entry in entries]
