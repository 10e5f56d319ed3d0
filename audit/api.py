"""Audit API for supervisors: `GET /api/v1/audit/events/` and `GET /api/v1/audit/verify/`.

Events come newest first, paginated by sequence number (`next` carries `before=<seq>`), which
stays fast however long the log grows. Entries recorded but not linked into the chain yet have
`seq` null; they come first on the first page (no `before`) only, and `next` then continues
with the linked entries. Every call is itself recorded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.access import CAPABILITY
from audit.chain import linked_head, verify_log
from audit.events import Action
from audit.listing import NEWEST_FIRST, EventFilterForm, present
from audit.models import AuditEvent
from audit.record import record
from portal.accounts.access import StaffAPIRequest

DEFAULT_LIMIT, MAX_LIMIT = 50, 200

_EVENT_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "seq": serializers.IntegerField(
        allow_null=True,
        help_text="Position in the hash chain; null for an entry not linked into it yet.",
    ),
    "at": serializers.DateTimeField(),
    "actor": serializers.CharField(help_text="A user id, `anonymous` or `system`."),
    "actor_name": serializers.CharField(),
    "action": serializers.CharField(help_text="The Action constant, e.g. TIP_CLAIMED."),
    "action_code": serializers.IntegerField(),
    "action_label": serializers.CharField(
        help_text="The action in words, in the request's language (Accept-Language)."
    ),
    "target_type": serializers.CharField(),
    "target_id": serializers.CharField(),
    "details": serializers.DictField(),
}
_PAGE = inline_serializer(
    "AuditEventPage",
    {
        "results": inline_serializer("AuditEvent", _EVENT_FIELDS, many=True),
        "next": serializers.URLField(allow_null=True),
    },
)
_VERIFICATION = inline_serializer(
    "AuditVerification",
    {
        "ok": serializers.BooleanField(),
        "checked": serializers.IntegerField(),
        "first_bad": serializers.IntegerField(allow_null=True),
        "problem": serializers.CharField(),
        "head": serializers.CharField(),
        "checkpoint": serializers.IntegerField(allow_null=True),
    },
)


def _positive(request: Request, name: str, default: int | None, maximum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise exceptions.ValidationError({name: [f"Give a whole number from 1 to {maximum}."]})
    return int(raw)


class AuditAPIView(APIView):
    access_rule = CAPABILITY


class EventList(AuditAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, description="Name or number"),
            OpenApiParameter("actor", OpenApiTypes.STR, description="Username, id, anonymous"),
            OpenApiParameter("target_type", OpenApiTypes.STR),
            OpenApiParameter("target_id", OpenApiTypes.STR),
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="On or after date_from (else 400)"
            ),
            OpenApiParameter(
                "before",
                {"type": "integer", "minimum": 1, "maximum": 2**62},
                description="Entries before this seq",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"1-{MAX_LIMIT}",
            ),
        ],
        responses={200: _PAGE},
    )
    def get(self, request: StaffAPIRequest) -> Response:
        # A date given empty is not a date left out: the schema's `date` format refuses it.
        empty = [name for name in ("date_from", "date_to") if request.query_params.get(name) == ""]
        if empty:
            raise exceptions.ValidationError(
                {name: ["Give a date or leave it out."] for name in empty}
            )
        form = EventFilterForm(request.query_params)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise exceptions.ValidationError(
                {name: [error["message"] for error in items] for name, items in errors.items()}
            )
        limit = _positive(request, "limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
        before = _positive(request, "before", None, 2**62)
        queryset = form.filter(AuditEvent.objects.order_by(*NEWEST_FIRST))
        if before is not None:
            queryset = queryset.filter(seq__lt=before)
        events = list(queryset[: limit + 1])
        more, events = len(events) > limit, events[:limit]
        record(Action.AUDIT_VIEWED, actor=request.user, via="api", filters=form.summary())
        return Response(
            {
                "results": [row.as_api() for row in present(events)],
                "next": self._next_url(request, self._cursor(events)) if more else None,
            }
        )

    @staticmethod
    def _cursor(events: list[AuditEvent]) -> int:
        """`before` for the next page: after the last linked entry shown (unlinked have no seq)."""
        if events[-1].seq is not None:
            return events[-1].seq
        # A page of unlinked entries only: the next page starts at the head of the chain.
        return linked_head() + 1

    @staticmethod
    def _next_url(request: Request, before: int) -> str:
        params: dict[str, Any] = {k: v for k, v in request.query_params.items() if k != "before"}
        params["before"] = before
        return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


class Verify(AuditAPIView):
    @extend_schema(responses={200: _VERIFICATION})
    def get(self, request: StaffAPIRequest) -> Response:
        report = verify_log()
        record(
            Action.AUDIT_VERIFIED,
            actor=request.user,
            via="api",
            ok=report.ok,
            checked=report.checked,
            first_bad=report.first_bad,
        )
        return Response(
            {
                "ok": report.ok,
                "checked": report.checked,
                "first_bad": report.first_bad,
                "problem": report.problem,
                "head": report.head.hex() if report.ok else "",
                "checkpoint": report.latest_checkpoint,
            }
        )
