"""`GET /api/v1/statistics/?from=&to=&area=&category=`: the numbers behind the statistics pages.

Supervisors get all four parts (`tips`, `triage`, `outcomes`, `handoffs`); a liaison gets the
`handoffs` part of their organization only, with counts below `STATISTICS_MIN_CELL` given as
"<N"; investigators get 403. Each call is audited like a page view.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

import audit
from audit import Action
from handoffs.models import Outcome
from handoffs.models import Status as HandoffStatus
from partners.models import Service
from portal.accounts.access import StaffAPIRequest
from portal.accounts.api import StaffAPIView
from stats import access, reading
from stats.filters import StatisticsFilterForm
from tips.areas import all_areas
from tips.models import CloseReason, PriorityLevel, What
from triage.models import MinorReport, Referral

_COUNT: dict[str, Any] = {
    "oneOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": "^<[0-9]+$", "description": "A protected small count"},
    ]
}
_SHARE: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_MINUTES: dict[str, Any] = {"type": "integer", "minimum": 0, "nullable": True}


def _obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _counts(codes: list[str] | None = None) -> dict[str, Any]:
    if codes is None:
        return {"type": "object", "additionalProperties": _COUNT}
    return _obj(dict.fromkeys(codes, _COUNT))


_FRACTION = _obj({"count": _COUNT, "share": _SHARE})
_TIMES = _obj({"median": _MINUTES, "p90": _MINUTES, "count": _COUNT})
_LEVELS = list(PriorityLevel.values)
_STATUSES = list(HandoffStatus.values)
_WEEK = {"type": "string", "format": "date", "description": "The Monday of the week"}

HANDOFFS: dict[str, Any] = _obj(
    {
        "total": _COUNT,
        "by_status": _counts(_STATUSES),
        "by_organization": {
            "type": "object",
            "description": "By organization slug",
            "additionalProperties": _obj({"total": _COUNT, "by_status": _counts(_STATUSES)}),
        },
        "by_service": _obj(
            {"requested": _counts(list(Service.values)), "provided": _counts(list(Service.values))}
        ),
        "by_outcome": _counts(list(Outcome.values)),
        "with_consent": _FRACTION,
        "time_to_accept_minutes": _TIMES,
        "time_to_first_contact_minutes": _TIMES,
    }
)
STATISTICS: dict[str, Any] = {
    "type": "object",
    "description": "Supervisors: all four parts. Liaisons: `handoffs` only, their organization.",
    "properties": {
        "tips": _obj(
            {
                "total": _COUNT,
                "by_week": {
                    "type": "array",
                    "items": _obj(
                        {"week": _WEEK, "count": _COUNT, "by_category": _counts(list(What.values))}
                    ),
                },
                "by_area": _counts(),
                "by_priority_level": _counts(_LEVELS),
                "help_requests": _FRACTION,
                "minor_involved": _FRACTION,
            }
        ),
        "triage": _obj(
            {
                "time_to_claim_minutes": _obj(
                    {
                        **_TIMES["properties"],
                        "by_priority_level": _obj(dict.fromkeys(_LEVELS, _TIMES)),
                    }
                ),
                "within_service_level": _obj(
                    {
                        "count": _COUNT,
                        "of": _COUNT,
                        "share": _SHARE,
                        "by_priority_level": _obj(dict.fromkeys(_LEVELS, _SHARE)),
                        "by_week": {
                            "type": "array",
                            "items": _obj(
                                {"week": _WEEK, "count": _COUNT, "of": _COUNT, "share": _SHARE}
                            ),
                        },
                    }
                ),
            }
        ),
        "outcomes": _obj(
            {
                "close_reasons": _counts(list(CloseReason.values)),
                "referrals": _counts(list(Referral.Destination.values)),
                "mandated_reports": _counts(list(MinorReport.Agency.values)),
            }
        ),
        "handoffs": HANDOFFS,
    },
    "required": ["handoffs"],
}


_PARAMETERS = ("from", "to", "area", "category")


class Statistics(StaffAPIView):
    access_rule = access.HANDOFFS
    error_statuses = (400,)  # a bad date, area or category, or a range the wrong way round

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First day; give both dates or neither (default: the last 90 days)",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description="Last day, on or after `from`, at most five years later",
            ),
            OpenApiParameter(
                "area",
                OpenApiTypes.STR,
                enum=[area.code for area in all_areas()],
                description="An area code (GET /api/v1/areas/)",
            ),
            OpenApiParameter("category", OpenApiTypes.STR, enum=list(What.values)),
        ],
        responses={200: STATISTICS},
    )
    def get(self, request: StaffAPIRequest) -> Response:
        scope = access.scope_for(request.user)
        # A parameter given empty is not "left out": the schema's formats refuse it, so do we.
        empty = [name for name in _PARAMETERS if request.query_params.get(name, None) == ""]
        if empty:
            raise exceptions.ValidationError(
                {name: ["Give a value or leave it out."] for name in empty}
            )
        form = StatisticsFilterForm(request.query_params)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise exceptions.ValidationError(
                {name: [error["message"] for error in items] for name, items in errors.items()}
            )
        filters = form.filters()
        data = reading.statistics(filters, scope)
        audit.record(
            Action.STATISTICS_VIEWED,
            actor=request.user,
            target=None,
            view="api",
            **filters.as_audit(),
        )
        return Response(data)
