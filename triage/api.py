"""`/api/v1/triage/`: the queue, tip detail, and every triage action (docs/interfaces.md).

Each view declares its capability (`access_rule`); the tip lookup is `access.get_tip_for_staff`,
the change is an `actions.do_*`, and reading goes through `reading` (audited), exactly as the
HTML pages do. Triage outcomes map to statuses: a claim held by someone else or an illegal move
is 409, writing a tip you do not hold is 403, a missing reason is 400.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from portal.accounts.access import StaffAPIRequest
from portal.accounts.api import StaffAPIView
from portal.downloads import download_response
from retention import actions as retention_actions
from tips.api import StrictCharField
from tips.models import CloseReason, PriorityLevel, Status, Tip, What
from triage import access, actions, queue, reading, search
from triage.home import with_new_replies
from triage.models import ContactReveal, MinorReport, Referral

OBJECT = OpenApiTypes.OBJECT


class TriageAPIView(StaffAPIView):
    # A tip in the path may have been purged: 410 with its tombstone (`access.get_tip_for_staff`).
    gone_when_purged = True

    def tip(self, request: StaffAPIRequest, code: Any) -> Tip:
        return access.get_tip_for_staff(request, code)


def tip_summary(tip: Tip) -> dict[str, Any]:
    """What the queue shows: plaintext metadata only, nothing decrypted."""
    return {
        "id": str(tip.code),
        "number": tip.number,
        "status": tip.status,
        "category": tip.category,
        "priority": tip.priority_score,
        "priority_level": tip.priority_level,
        "computed_level": tip.computed_level,
        "priority_reasons": tip.priority_reasons,
        "flags": {
            "immediate_danger": tip.immediate_danger,
            "minor_involved": tip.minor_involved,
            "victim_self_report": tip.victim_self_report,
            "has_contact": tip.has_contact,
        },
        "area": tip.area,
        "language": tip.language,
        "attachments": tip.attachment_count,
        "created_at": tip.created_at,
        "sla_due_at": tip.sla_due_at,
        "assignee": tip.assignee.username if tip.assignee else None,
        "close_reason": tip.close_reason or None,
    }


def retention_state(tip: Tip) -> dict[str, Any]:
    return {"purge_after": tip.purge_after, "review_due": tip.review_due, "hold": tip.hold}


class QueueView(TriageAPIView):
    access_rule = "triage.view_queue"
    error_statuses = (400,)  # an unknown filter value or a bad cursor

    @extend_schema(
        responses=OBJECT,
        operation_id="triage_queue",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description=(
                    "A tip number (T-2026-00421), a tip id, or an identifier (phone, email, "
                    "handle, plate, URL) matched through the blind indexes and confirmed by "
                    "decryption; an identifier search needs an unlocked vault and is audited."
                ),
            )
        ],
    )
    def get(self, request: StaffAPIRequest) -> Response:
        filters, errors = queue.Filters.from_query(request.query_params)
        if errors:
            raise exceptions.ValidationError(errors)
        tips = with_new_replies(
            filters.apply(access.tips_for(request.user), request.user), request.user
        )
        if filters.q:
            unlocked = self.keys(request) if search.needs_keys(filters.q) else None
            tips = search.search(tips, filters.q, actor=request.user, unlocked=unlocked).tips
        try:
            size = int(request.query_params.get("page_size", queue.PAGE_SIZE))
            result = queue.page(
                tips,
                cursor=request.query_params.get("cursor", ""),
                size=size,
            )
        except (queue.BadCursorError, ValueError) as exc:
            raise exceptions.ValidationError({"cursor": [str(exc)]}) from None
        next_url = None
        if result.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = result.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        results = [
            {**tip_summary(tip), "new_replies": bool(getattr(tip, "new_replies", False))}
            for tip in result.tips
        ]
        return Response({"results": results, "next": next_url})


class TipPatchSerializer(serializers.Serializer):
    # At least one of these is sent (the view says so otherwise); the schema says it too.
    requires_one_of = ("category", "priority_level")

    category = serializers.ChoiceField(choices=What.values, required=False)
    priority_level = serializers.ChoiceField(choices=PriorityLevel.values, required=False)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class TipDetailView(TriageAPIView):
    access_rule = "triage.view_tip"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        tip = self.tip(request, code)
        view = reading.open_tip(tip, self.keys(request), actor=request.user)
        actions.do_mark_read(tip, acting_user=request.user)
        return Response(
            {
                **tip_summary(tip),
                "what": tip.what,
                "content": view.content,
                "attachments": [vars(item) for item in view.attachments],
                "history": [vars(entry) for entry in view.changes],
                "notes": [vars(entry) for entry in view.notes],
                "messages": [vars(entry) for entry in view.messages],
                "duplicate_of": str(tip.duplicate_of.code) if tip.duplicate_of else None,
                "retention": retention_state(tip),
            }
        )

    @extend_schema(request=TipPatchSerializer, responses=OBJECT)
    def patch(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = TipPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not ({"category", "priority_level"} & set(data)):
            raise exceptions.ValidationError("Send a category or a priority_level.")
        # Each field is its own decision, with its own capability.
        if "category" in data and not request.user.may("triage.categorize"):
            raise exceptions.PermissionDenied()
        if "priority_level" in data and not request.user.may("triage.prioritize"):
            raise exceptions.PermissionDenied()
        tip = self.tip(request, code)
        unlocked = self.keys(request)
        if "category" in data:
            tip = actions.do_categorize(
                tip,
                data["category"],
                acting_user=request.user,
                reason=data.get("reason", ""),
                unlocked=unlocked,
            )
        if "priority_level" in data:
            tip = actions.do_reprioritize(
                tip,
                data["priority_level"],
                acting_user=request.user,
                reason=data.get("reason", ""),
                unlocked=unlocked,
            )
        return Response(tip_summary(tip))


class ClaimView(TriageAPIView):
    access_rule = "triage.claim"

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        tip = actions.do_claim(self.tip(request, code), acting_user=request.user)
        return Response(tip_summary(tip))


class ReleaseView(TriageAPIView):
    access_rule = "triage.claim"

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        tip = actions.do_release(self.tip(request, code), acting_user=request.user)
        return Response(tip_summary(tip))


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(max_length=150)
    reason = serializers.CharField(max_length=2000)


class AssignView(TriageAPIView):
    access_rule = "triage.assign"

    @extend_schema(request=AssignSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = access.assignee_named(serializer.validated_data["assignee"])
        if assignee is None:
            # A well-formed name that matches no investigator: the object named is not found.
            raise exceptions.NotFound({"assignee": [_("No such investigator.")]})
        tip = actions.do_assign(
            self.tip(request, code),
            assignee=assignee,
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
            unlocked=self.keys(request),
        )
        return Response(tip_summary(tip))


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.values)
    reason = serializers.CharField(max_length=2000)
    close_reason = serializers.ChoiceField(
        choices=CloseReason.values, required=False, allow_blank=True
    )
    # The original's id or its number (T-2026-00421).
    duplicate_of = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )


class TransitionView(TriageAPIView):
    access_rule = "triage.transition"

    @extend_schema(request=TransitionSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tip = self.tip(request, code)
        duplicate_of = None
        if data.get("duplicate_of"):
            duplicate_of = access.get_tip_by_reference(request, data["duplicate_of"])
        tip = actions.do_transition(
            tip,
            data["to"],
            acting_user=request.user,
            reason=data["reason"],
            unlocked=self.keys(request),
            close_reason=data.get("close_reason", ""),
            duplicate_of=duplicate_of,
        )
        return Response(tip_summary(tip))


class BulkSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=actions.MAX_BULK
    )
    action = serializers.ChoiceField(choices=actions.BulkAction.CHOICES)
    # Text is text: a number sent for a reason or a name is refused, not turned into one.
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True)
    close_reason = serializers.ChoiceField(
        choices=actions.BULK_CLOSE_REASONS, required=False, allow_blank=True
    )
    assignee = StrictCharField(max_length=150, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=What.values, required=False, allow_blank=True)

    # What an action needs besides the ids (a close reason, a reason, an assignee, a category)
    # is not a rule of the request's shape: each tip's result says what the action lacked
    # ("Closing needs a reason"), as one by one.


class BulkView(TriageAPIView):
    """One action on many tips: each tip through the same action, access rule and audit entry
    as one by one; the answer says per tip whether it worked and why not."""

    access_rule = "triage.view_queue"
    error_statuses = (404,)  # an assignee who is no investigator

    @extend_schema(
        request=BulkSerializer,
        responses=OBJECT,
        operation_id="triage_bulk",
        description=(
            "One action on up to 100 tips. `close` needs `close_reason` (not duplicate) and "
            "`reason`, `assign` needs `assignee` and `reason`, `categorize` needs `category`; "
            "each tip goes through the same action, access rule and audit as one by one, and "
            "its result says whether it worked and why not."
        ),
    )
    def post(self, request: StaffAPIRequest) -> Response:
        serializer = BulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not request.user.may(actions.BulkAction.CAPABILITY[data["action"]]):
            raise exceptions.PermissionDenied()
        assignee = None
        if data["action"] == actions.BulkAction.ASSIGN and data.get("assignee", "").strip():
            assignee = access.assignee_named(data["assignee"])
            if assignee is None:
                raise exceptions.NotFound({"assignee": [_("No such investigator.")]})
        codes = list(dict.fromkeys(data["ids"]))
        found = {
            tip.code: tip
            for tip in access.tips_for(request.user)
            .select_related("assignee")
            .filter(code__in=codes)
        }
        outcomes = {
            result.tip.code: result
            for result in actions.do_bulk(
                [found[code] for code in codes if code in found],
                data["action"],
                acting_user=request.user,
                unlocked=self.keys(request),
                reason=data.get("reason", ""),
                close_reason=data.get("close_reason", ""),
                assignee=assignee,
                category=data.get("category", ""),
            )
        }
        results = []
        for code in codes:
            outcome = outcomes.get(code)
            if outcome is None:
                results.append({"id": str(code), "ok": False, "error": _("No such tip.")})
            else:
                results.append({"id": str(code), "ok": outcome.ok, "error": outcome.error or None})
        return Response({"results": results})


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20_000)


def _entries(entries: list[reading.Entry], *, who: str) -> list[dict[str, Any]]:
    rows = []
    for entry in entries:
        row = {"id": entry.id, "at": entry.at, "body": entry.body, "author": entry.author}
        if who == "sender":
            row["sender"] = entry.sender
        rows.append(row)
    return rows


class NotesView(TriageAPIView):
    access_rule = "triage.note"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        notes = reading.read_notes(self.tip(request, code), self.keys(request), actor=request.user)
        return Response({"results": _entries(notes, who="author")})

    @extend_schema(request=BodySerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = BodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = actions.do_add_note(
            self.tip(request, code),
            serializer.validated_data["body"],
            acting_user=request.user,
            unlocked=self.keys(request),
        )
        return Response(
            {"id": str(note.code), "at": note.created_at, "author": request.user.username},
            status=status.HTTP_201_CREATED,
        )


class MessagesView(TriageAPIView):
    access_rule = "triage.message_tipster"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        messages = reading.read_messages(
            self.tip(request, code), self.keys(request), actor=request.user
        )
        return Response({"results": _entries(messages, who="sender")})

    @extend_schema(request=BodySerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = BodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = actions.do_message_tipster(
            self.tip(request, code), serializer.validated_data["body"], acting_user=request.user
        )
        return Response(
            {"id": str(message.code), "at": message.created_at, "sender": message.sender},
            status=status.HTTP_201_CREATED,
        )


class RelatedView(TriageAPIView):
    access_rule = "triage.view_tip"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        related = reading.related_tips(
            self.tip(request, code), self.keys(request), actor=request.user
        )
        return Response(
            {
                "results": [
                    {
                        "id": str(item.tip.code),
                        "shared": item.shared,
                        "linked": item.linked or None,
                        "status": item.tip.status,
                        "category": item.tip.category,
                    }
                    for item in related
                ]
            }
        )


class LinkSerializer(serializers.Serializer):
    other = serializers.UUIDField()


class LinksView(TriageAPIView):
    access_rule = "triage.link"

    @extend_schema(request=LinkSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = access.get_tip_for_staff(request, serializer.validated_data["other"])
        actions.do_link(self.tip(request, code), other, acting_user=request.user)
        return Response({"linked": str(other.code)}, status=status.HTTP_201_CREATED)


class LinkView(TriageAPIView):
    access_rule = "triage.link"

    @extend_schema(responses=OBJECT)
    def delete(self, request: StaffAPIRequest, code: str, other: str) -> Response:
        tip, other_tip = self.tip(request, code), access.get_tip_for_staff(request, other)
        if not actions.do_unlink(tip, other_tip, acting_user=request.user):
            raise exceptions.NotFound("These tips are not linked.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentsView(TriageAPIView):
    access_rule = "triage.view_tip"

    @extend_schema(responses=OBJECT, operation_id="triage_attachments")
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        view = reading.open_tip(self.tip(request, code), self.keys(request), actor=request.user)
        return Response(
            {
                "results": [
                    {
                        "id": item.code,
                        "name": item.name,
                        "content_type": item.content_type,
                        "size": item.size,
                        "variant": item.variant,
                        "at": item.at,
                    }
                    for item in view.attachments
                ]
            }
        )


class AttachmentView(TriageAPIView):
    access_rule = "triage.view_tip"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: StaffAPIRequest, code: str, attachment: str) -> StreamingHttpResponse:
        tip = self.tip(request, code)
        row = access.get_attachment_for_staff(request, tip, attachment)
        name, chunks = reading.attachment_chunks(tip, row, self.keys(request), actor=request.user)
        return download_response(name, row.content_type, chunks)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RevealsView(TriageAPIView):
    access_rule = "triage.reveal_contact"

    @extend_schema(request=ReasonSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reveal = actions.do_request_reveal(
            self.tip(request, code),
            serializer.validated_data["reason"],
            acting_user=request.user,
            unlocked=self.keys(request),
        )
        return Response(
            {"id": str(reveal.code), "status": reveal.status}, status=status.HTTP_201_CREATED
        )


class ContactView(TriageAPIView):
    access_rule = "triage.reveal_contact"

    @extend_schema(responses=OBJECT)
    def get(self, request: StaffAPIRequest, code: str) -> Response:
        tip = self.tip(request, code)
        reveal = access.approved_reveal(tip, request.user)
        if reveal is None:
            raise exceptions.PermissionDenied(
                "Request a reveal with a reason first; a supervisor approves it."
            )
        return Response(reading.reveal_contact(reveal, self.keys(request), actor=request.user))


class DecideRevealView(TriageAPIView):
    access_rule = "triage.approve_reveal"
    approve = True

    def reveal(self, request: StaffAPIRequest, reveal: str) -> ContactReveal:
        try:
            return ContactReveal.objects.select_related("tip").get(
                code=reveal, tip__in=access.tips_for(request.user)
            )
        except (ContactReveal.DoesNotExist, ValueError):
            raise exceptions.NotFound() from None

    @extend_schema(request=None, responses=OBJECT)
    def post(self, request: StaffAPIRequest, reveal: str) -> Response:
        row = self.reveal(request, reveal)
        decided = actions.do_decide_reveal(row, approve=True, acting_user=request.user)
        return Response({"id": str(decided.code), "status": decided.status})


class DenySerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DenyRevealView(DecideRevealView):
    """A denial says why: the reason is sealed under the tip's key and shown to the requester."""

    approve = False

    @extend_schema(request=DenySerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, reveal: str) -> Response:
        row = self.reveal(request, reveal)  # an unknown request is 404 whatever the body
        serializer = DenySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = actions.do_decide_reveal(
            row,
            approve=False,
            acting_user=request.user,
            reason=serializer.validated_data["reason"],
            unlocked=self.keys(request),
        )
        return Response({"id": str(decided.code), "status": decided.status})


class MinorReportSerializer(serializers.Serializer):
    agency = serializers.ChoiceField(choices=MinorReport.Agency.values)
    reference = serializers.CharField(max_length=2000)


class MinorReportsView(TriageAPIView):
    access_rule = "triage.transition"

    @extend_schema(request=MinorReportSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = MinorReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = actions.do_record_minor_report(
            self.tip(request, code),
            serializer.validated_data["agency"],
            serializer.validated_data["reference"],
            acting_user=request.user,
            unlocked=self.keys(request),
        )
        return Response({"id": str(report.code), "at": report.made_at}, status=201)


class ReferralSerializer(serializers.Serializer):
    destination = serializers.ChoiceField(choices=Referral.Destination.values)
    reason = serializers.CharField(max_length=2000)


class ReferralsView(TriageAPIView):
    access_rule = "triage.refer"

    @extend_schema(request=ReferralSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        serializer = ReferralSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = actions.do_refer(
            self.tip(request, code),
            serializer.validated_data["destination"],
            serializer.validated_data["reason"],
            acting_user=request.user,
            unlocked=self.keys(request),
        )
        return Response({"id": str(referral.code), "at": referral.created_at}, status=201)


class RetentionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


def _retention_reason(request: StaffAPIRequest) -> str:
    serializer = RetentionReasonSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return str(serializer.validated_data["reason"])


class ReviewView(TriageAPIView):
    access_rule = "retention.review"

    @extend_schema(request=RetentionReasonSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        reason = _retention_reason(request)
        tip = retention_actions.do_review(
            self.tip(request, code), reason, acting_user=request.user, unlocked=self.keys(request)
        )
        return Response({**tip_summary(tip), "retention": retention_state(tip)})


class HoldView(TriageAPIView):
    access_rule = "retention.hold"
    delete_takes_body = True  # releasing a hold needs a reason too

    @extend_schema(request=RetentionReasonSerializer, responses=OBJECT)
    def post(self, request: StaffAPIRequest, code: str) -> Response:
        reason = _retention_reason(request)
        tip = retention_actions.do_place_hold(
            self.tip(request, code), reason, acting_user=request.user, unlocked=self.keys(request)
        )
        return Response({**tip_summary(tip), "retention": retention_state(tip)})

    @extend_schema(request=RetentionReasonSerializer, responses={200: OBJECT})
    def delete(self, request: StaffAPIRequest, code: str) -> Response:
        reason = _retention_reason(request)
        tip = retention_actions.do_release_hold(
            self.tip(request, code), reason, acting_user=request.user, unlocked=self.keys(request)
        )
        return Response({**tip_summary(tip), "retention": retention_state(tip)})
