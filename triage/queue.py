"""The triage queue: filters and keyset pagination over plaintext metadata only.

Order: urgent first, then score, then age (`level_rank`, `-priority_score`, `created_at`, `id`),
served by the partial index `tip_open_queue` (or `tip_queue_by_status` when filtering by
status). Pages are cut with a keyset cursor, not OFFSET, so page 500 costs what page 1 costs
and there is no COUNT(*) over a million rows. Nothing here decrypts.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal.models import User
from portal.roles import roles_with
from retention import policy
from tips import numbering
from tips.models import LEVEL_RANK, PriorityLevel, Status, Tip, What

ORDER = ("level_rank", "-priority_score", "created_at", "id")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PURGE_DUE_DAYS = 30


class BadCursorError(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    status: str = ""
    category: str = ""
    priority_level: str = ""
    area: str = ""
    assignee: str = ""
    mine: bool = False
    unclaimed: bool = False
    include_closed: bool = False
    # Tips (closed or open, not held) that the retention policy purges within 30 days.
    purge_due: bool = False
    # A tip number, a tip code or an identifier (triage.search): applied by `search`, which may
    # decrypt, never by `apply`, which reads plaintext metadata only.
    q: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> tuple[Filters, dict[str, list[str]]]:
        """Filters from a query string, and per-parameter errors for unknown values."""
        errors: dict[str, list[str]] = {}

        def choice(name: str, allowed: list[str]) -> str:
            value = query.get(name, "")
            if value and value not in allowed:
                errors[name] = [f"Unknown {name}: choose one of {', '.join(allowed)}."]
                return ""
            return value

        def flag(name: str) -> bool:
            return query.get(name, "") in ("1", "true", "yes", "on")

        filters = cls(
            status=choice("status", Status.values),
            category=choice("category", What.values),
            priority_level=choice("priority_level", PriorityLevel.values),
            area=area_code(query.get("area", "")[:40]),
            assignee=query.get("assignee", "")[:150],
            mine=flag("mine"),
            unclaimed=flag("unclaimed"),
            include_closed=flag("include_closed"),
            purge_due=flag("purge_due"),
            q=query.get("q", "").strip()[:200],
        )
        return filters, errors

    def saved_query(self) -> str:
        """This filter as a saved view keeps it: the known parameters only, in a fixed order,
        flags as `1`, an area as its code and an assignee only when they may hold tips.

        Search text is kept only when it is a tip number, in its canonical form: a number is a
        plain lookup of metadata the queue already shows. Anything else (a tip code aside, an
        identifier: a phone, a plate...) is dropped, because an identifier search decrypts
        tips and is audited each time it runs; stored, it would sit in plaintext outside the
        vault and run again unseen from a link.
        """
        from tips.areas import all_areas  # noqa: PLC0415 - the area list loads with settings

        kept = QueryDict(mutable=True)
        for name in ("status", "category", "priority_level"):
            if getattr(self, name):
                kept[name] = getattr(self, name)
        if self.area in {area.code for area in all_areas()}:
            kept["area"] = self.area
        if (
            self.assignee
            and User.objects.filter(
                username=self.assignee, role__in=roles_with("triage.claim")
            ).exists()
        ):
            kept["assignee"] = self.assignee
        for flag in ("mine", "unclaimed", "include_closed", "purge_due"):
            if getattr(self, flag):
                kept[flag] = "1"
        if self.saved_search:
            kept["q"] = self.saved_search
        return kept.urlencode()

    @property
    def saved_search(self) -> str:
        """The search text a saved view keeps: a tip number, canonical; otherwise nothing."""
        return numbering.parse_number(self.q) or ""

    def apply(self, tips: QuerySet[Tip], user: User) -> QuerySet[Tip]:
        if self.status:
            tips = tips.filter(status=self.status)
        elif not (self.include_closed or self.purge_due):
            tips = tips.exclude(status=Status.CLOSED)
        if self.purge_due:
            horizon = timezone.now() + timedelta(days=PURGE_DUE_DAYS)
            tips = tips.filter(policy.due_by(horizon), hold=False)
        if self.category:
            tips = tips.filter(category=self.category)
        if self.priority_level:
            # level_rank says the same and leads the queue index: an index range, not a filter.
            tips = tips.filter(
                level_rank=LEVEL_RANK[self.priority_level], priority_level=self.priority_level
            )
        if self.area:
            tips = tips.filter(area=self.area)
        if self.assignee:
            # The user's id first (a scalar subquery, run once), not a join: the filter is then
            # a range of the `tip_queue_by_assignee` index, read in queue order.
            tips = tips.filter(
                assignee_id=Subquery(User.objects.filter(username=self.assignee).values("pk")[:1])
            )
        if self.mine:
            tips = tips.filter(assignee=user)
        if self.unclaimed:
            tips = tips.filter(assignee__isnull=True)
        return tips


def area_code(typed: str) -> str:
    """An area filter as typed: its code, or its name in either language in any case
    (`Olathe` finds what `olathe` does); anything else is kept and matches nothing."""
    from tips.areas import all_areas  # noqa: PLC0415 - the area list loads with settings

    wanted = typed.strip().casefold()
    if not wanted:
        return ""
    for area in all_areas():
        if wanted in (area.code, area.name.casefold(), area.name_es.casefold() or area.code):
            return area.code
    return typed.strip()


def encode_cursor(tip: Tip) -> str:
    position = [tip.level_rank, tip.priority_score, tip.created_at.isoformat(), tip.pk]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, int, datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        rank, score, created, pk = json.loads(base64.urlsafe_b64decode(padded))
        at = parse_datetime(created)
        if at is None or not all(isinstance(v, int) for v in (rank, score, pk)):
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadCursorError("The page cursor is not valid.") from exc
    return rank, score, at, pk


def after(tips: QuerySet[Tip], cursor: str) -> QuerySet[Tip]:
    """Rows strictly after the cursor in queue order (rank asc, score desc, age asc, id asc)."""
    rank, score, at, pk = _decode_cursor(cursor)
    return tips.filter(
        Q(level_rank__gt=rank)
        | Q(level_rank=rank, priority_score__lt=score)
        | Q(level_rank=rank, priority_score=score, created_at__gt=at)
        | Q(level_rank=rank, priority_score=score, created_at=at, pk__gt=pk)
    )


@dataclass(frozen=True)
class Page:
    tips: list[Tip]
    next_cursor: str | None


def page(tips: QuerySet[Tip], *, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        tips = after(tips, cursor)
    rows = list(tips.select_related("assignee").order_by(*ORDER)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)
