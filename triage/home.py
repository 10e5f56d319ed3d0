"""What the staff home and the queue show about a member's own day: urgent tips nobody holds,
the tips they hold, tips with tipster replies they have not read, reveals waiting for their
decision, and for liaisons the handoffs waiting for their organization.

Each list is one query (with a bound), so the home page costs the same however many tips there
are. Nothing here decrypts: it is plaintext triage metadata, like the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.models import User
from tips.models import Message, PriorityLevel, Status, Tip
from triage import access, queue
from triage.models import ContactReveal, TipRead

LIMIT = 20
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def with_new_replies(tips: QuerySet[Tip], user: User) -> QuerySet[Tip]:
    """`new_replies` on each tip: a tipster message arrived after the member last opened it
    (or at all, if they never did). Two correlated subqueries, no extra query."""
    last_read = TipRead.objects.filter(tip=OuterRef("pk"), user=user).values("read_at")[:1]
    return tips.annotate(
        last_read=Coalesce(Subquery(last_read), Value(NEVER), output_field=DateTimeField())
    ).annotate(
        new_replies=Exists(
            Message.objects.filter(
                tip=OuterRef("pk"),
                sender=Message.Sender.TIPSTER,
                created_at__gt=OuterRef("last_read"),
            )
        )
    )


@dataclass
class Day:
    urgent_waiting: list[Tip] = field(default_factory=list)
    mine: list[Tip] = field(default_factory=list)
    new_replies: list[Tip] = field(default_factory=list)
    reveals_to_decide: list[ContactReveal] = field(default_factory=list)
    handoffs_waiting: list[Any] = field(default_factory=list)


def day_for(user: User) -> Day:
    day = Day()
    if access.is_task_force(user):
        tips = access.tips_for(user).exclude(status=Status.CLOSED)
        day.urgent_waiting = list(
            tips.filter(priority_level=PriorityLevel.URGENT, assignee__isnull=True).order_by(
                *queue.ORDER
            )[:LIMIT]
        )
        day.mine = list(
            with_new_replies(tips.filter(assignee=user), user)
            .select_related("assignee")
            .order_by(*queue.ORDER)[:LIMIT]
        )
        day.new_replies = list(
            with_new_replies(tips.filter(Q(assignee=user) | Q(reads__user=user)), user)
            .filter(Q(new_replies=True))  # the annotation above
            .distinct()
            .order_by(*queue.ORDER)[:LIMIT]
        )
    if user.may("triage.approve_reveal"):
        day.reveals_to_decide = list(
            ContactReveal.objects.filter(
                tip__in=access.tips_for(user), status=ContactReveal.Status.PENDING
            )
            .exclude(requested_by=user)
            .select_related("tip", "requested_by")
            .order_by("created_at")[:LIMIT]
        )
    if user.may("handoffs.respond"):
        from handoffs import access as handoff_access  # noqa: PLC0415 - handoffs imports triage
        from handoffs.models import Status as HandoffStatus  # noqa: PLC0415

        day.handoffs_waiting = list(
            handoff_access.handoffs_for(user)
            .filter(status=HandoffStatus.PENDING, purged_at__isnull=True)
            .select_related("created_by", "tip")
            .order_by("sla_due_at")[:LIMIT]
        )
    return day
