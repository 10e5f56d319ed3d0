"""The tip lifecycle, in one place: which moves exist and who may make them.

    new ──claim──▶ in_review ──▶ assigned ──▶ investigating ──▶ referred | handed_off
                        └──────────────────────▶ investigating ◀──────────┘
    any open state ──▶ closed (with a reason)      closed ──reopen (supervisor)──▶ in_review

A claim is the only way out of `new`, and reopening the only way out of `closed`; both have
their own actions (`do_claim`, `do_reopen`): `do_transition` refuses a claim and routes a
reopen to `do_reopen`, so a page or an API client asks for either move the same way.
"""

from __future__ import annotations

from tips.models import CloseReason, Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.CLOSED}),
    Status.IN_REVIEW: frozenset({Status.ASSIGNED, Status.INVESTIGATING, Status.CLOSED}),
    Status.ASSIGNED: frozenset({Status.INVESTIGATING, Status.CLOSED}),
    Status.INVESTIGATING: frozenset({Status.REFERRED, Status.HANDED_OFF, Status.CLOSED}),
    Status.REFERRED: frozenset({Status.INVESTIGATING, Status.CLOSED}),
    Status.HANDED_OFF: frozenset({Status.INVESTIGATING, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
OPEN_STATUSES = frozenset(Status.values) - {Status.CLOSED}
# Close reasons that do not need the mandated minor report recorded first: a duplicate's
# original carries it, and spam describes nobody.
CLOSE_WITHOUT_MINOR_REPORT = frozenset({CloseReason.DUPLICATE, CloseReason.SPAM})


def allowed_moves(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in allowed_moves(from_status)
