"""Handoff API (docs/interfaces.md): created from a tip by the task force, answered by liaisons.

`GET`/`POST /api/v1/triage/tips/{id}/handoffs/`; `GET /api/v1/handoffs/`, `GET …/{id}/`,
`POST …/{id}/accept/`, `…/decline/` `{"reason"}`, `…/outcome/` `{"outcome", "note",
"services_provided"}`, plus `…/contact-attempts/` `{"method", "note"}` and
`…/revoke-consent/`. A liaison's lookups cover their organization only: another organization's
handoff is 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from handoffs import access, actions, reading
from handoffs.actions import ConsentGiven, NewHandoff
from handoffs.models import Activity, Consent, Handoff, Outcome, Scope
from partners.models import Organization, Service
from portal.accounts.access import StaffAPIRequest, unlocked_keys
from portal.accounts.api import StaffAPIView
from triage import access as triage_access

OBJECT = OpenApiTypes.OBJECT


# What is left of a handoff whose tip was purged: its status and outcome code.
PURGED_MESSAGE = "removed under the retention policy"


class HandoffAPIView(StaffAPIView):
    def handoff(self, request: StaffAPIRequest, code: Any) -> Handoff:
        return access.get_handoff_for_staff(request, code)


def summary(handoff: Handoff) -> dict[str, Any]:
    """Status and outcome only: what flows back to the task force."""
    consent = getattr(handoff, "consent", None)
    return {
        "id": str(handoff.code),
        "organization": handoff.organization.slug,
        "services": handoff.services,
        "language": handoff.language,
        "status": handoff.status,
        "outcome": handoff.outcome or None,
        "services_provided": handoff.services_provided,
        "at": handoff.created_at,
        "consent": None
        if consent is None
        else {
            "method": consent.method,
            "scope": consent.scope,
            "expires_at": consent.expires_at,
            "active": consent.is_active,
        },
    }


class ConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField()
    method = serializers.ChoiceField(choices=Consent.Method.values, required=False)
    party = serializers.ChoiceField(choices=Consent.Party.values, required=False)
    scope = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.values), required=False, max_length=4
    )
    expires_at = serializers.DateField(required=False)


class CreateSerializer(serializers.Serializer):
    organization = serializers.SlugRelatedField(slug_field="slug", queryset=Organization.objects)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.values), min_length=1, max_length=9
    )
    summary = serializers.CharField(max_length=5000)
    contact = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=500, required=False, allow_blank=True)
    situation = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    language = serializers.CharField(max_length=16, required=False, allow_blank=True)
    consent = ConsentSerializer()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        consent = attrs["consent"]
        if consent["given"]:
            missing = [k for k in ("method", "scope", "expires_at") if not consent.get(k)]
            if missing:
                raise serializers.ValidationError(
                    {"consent": [f"With consent given, also send: {', '.join(missing)}."]}
                )
        return attrs

    def handoff(self) -> NewHandoff:
        data = self.validated_data
        given = data["consent"]
        consent = (
            ConsentGiven(
                method=given["method"],
                scope=tuple(given["scope"]),
                expires_at=given["expires_at"],
                party=given.get("party", Consent.Party.PERSON),
            )
            if given["given"]
            else None
        )
        return NewHandoff.from_fields(data, consent)


class TipHandoffsView(HandoffAPIView):
    access_rule = "triage.view_handoffs"

    @extend_schema(responses=OBJECT, operation_id="triage_tip_handoffs")
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        tip = triage_access.get_tip_for_staff(request, code)
        rows = tip.handoffs.select_related("organization", "consent").order_by("created_at")
        return Response({"results": [summary(row) for row in rows]})

    @extend_schema(request=CreateSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        if not request.user.may("triage.create_handoff"):
            raise exceptions.PermissionDenied()
        tip = triage_access.get_tip_for_staff(request, code)
        serializer = CreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = actions.do_create_handoff(
            tip, serializer.handoff(), acting_user=request.user, unlocked=unlocked_keys(request)
        )
        return Response(summary(handoff), status=status.HTTP_201_CREATED)


class HandoffsView(HandoffAPIView):
    access_rule = "handoffs.view"

    @extend_schema(responses=OBJECT, operation_id="handoffs_list")
    def get(self, request: StaffAPIRequest) -> Response:
        rows = (
            access.handoffs_for(request.user)
            .select_related("organization", "consent")
            .order_by("-created_at")[:500]
        )
        return Response({"results": [summary(row) for row in rows]})


class HandoffView(HandoffAPIView):
    access_rule = "handoffs.view"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        handoff = self.handoff(request, code)
        if handoff.purged_at is not None:
            return Response({**summary(handoff), "removed": PURGED_MESSAGE})
        view = reading.open_handoff(handoff, self.keys(request), actor=request.user)
        return Response(
            {
                **summary(handoff),
                "summary": view.summary,
                "identity": view.identity,
                "identity_withdrawn": view.identity_withdrawn,
                "decline_reason": view.decline_reason or None,
                "notes": [
                    {
                        "kind": n.kind,
                        "method": n.method,
                        "body": n.body,
                        "author": n.author,
                        "at": n.at,
                    }
                    for n in view.notes
                ],
            }
        )


class AcceptView(HandoffAPIView):
    access_rule = "handoffs.respond"

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        handoff = actions.do_accept(self.handoff(request, code), acting_user=request.user)
        return Response(summary(handoff))


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DeclineView(HandoffAPIView):
    access_rule = "handoffs.respond"

    @extend_schema(request=DeclineSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = actions.do_decline(
            self.handoff(request, code),
            serializer.validated_data["reason"],
            acting_user=request.user,
            unlocked=self.keys(request),
        )
        return Response(summary(handoff))


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.values)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    services_provided = serializers.ListField(
        child=serializers.ChoiceField(choices=Service.values), required=False, max_length=9
    )


class OutcomeView(HandoffAPIView):
    access_rule = "handoffs.respond"

    @extend_schema(request=OutcomeSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        handoff = actions.do_record_outcome(
            self.handoff(request, code),
            data["outcome"],
            services_provided=tuple(data.get("services_provided", ())),
            note=data.get("note", ""),
            acting_user=request.user,
        )
        return Response(summary(handoff))


class ContactAttemptSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Activity.Method.values)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ContactAttemptsView(HandoffAPIView):
    access_rule = "handoffs.respond"

    @extend_schema(request=ContactAttemptSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = ContactAttemptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = actions.do_record_contact_attempt(
            self.handoff(request, code),
            serializer.validated_data["method"],
            serializer.validated_data.get("note", ""),
            acting_user=request.user,
        )
        return Response(
            {"id": str(activity.code), "at": activity.created_at}, status=status.HTTP_201_CREATED
        )


class RevokeConsentView(HandoffAPIView):
    access_rule = "handoffs.view"

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        entry = actions.do_revoke_consent(self.handoff(request, code), acting_user=request.user)
        return Response({"revoked_at": entry.revoked_at})
