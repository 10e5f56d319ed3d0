"""The public JSON API (docs/interfaces.md): submit a tip, follow up, add information.

No authentication and no session: a staff cookie sent along changes nothing here. Every field is
bounded; errors use the one shape of `portal.errors`. The tip endpoint takes JSON, or multipart
with `attachments` files (nested `identifiers` and `contact` then come as JSON strings).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.conf import settings
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiRequest,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.access import PUBLIC
from portal.parsers import BoundedJSONParser
from portal.vault import InvalidReceipt
from portal.vault.tipster import receipt_pattern
from tips import actions, followup, throttle
from tips.areas import all_areas, area_codes
from tips.forms import clean_attachments
from tips.indicators import INDICATOR_CODES
from tips.models import Answer, Recency, What
from tips.submission import (
    CONTACT_FIELDS,
    IDENTIFIER_KINDS,
    MAX_DESCRIPTION,
    MAX_IDENTIFIER_CHARS,
    MAX_IDENTIFIER_ITEMS,
    MAX_RETRY_KEY_CHARS,
    MAX_SHORT,
    MAX_TEXT,
    MIN_RETRY_KEY_CHARS,
    Contact,
    TipSubmission,
)


class RateLimited(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests from this connection. Please wait and try again."
    default_code = "rate_limited"


class PublicAPIView(APIView):
    access_rule = PUBLIC
    authentication_classes: list[Any] = []
    parser_classes = [BoundedJSONParser]
    rate_limit: throttle.Limit | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if (
            request.method == "POST"
            and self.rate_limit
            and not throttle.hit(request._request, self.rate_limit)
        ):
            raise RateLimited()


def _strict_text(max_length: int, **kwargs: Any) -> serializers.CharField:
    # No silent coercion: a number or a list where text belongs is an error, not "42".
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Must be text."), code="invalid")
        return super().to_internal_value(data)


class IdentifiersSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            kind: serializers.ListField(
                child=StrictCharField(max_length=MAX_IDENTIFIER_CHARS, allow_blank=True),
                max_length=MAX_IDENTIFIER_ITEMS,
                required=False,
            )
            for kind in IDENTIFIER_KINDS
        }


class ContactSerializer(serializers.Serializer):
    name = _strict_text(MAX_SHORT)
    phone = _strict_text(MAX_SHORT)
    email = serializers.EmailField(max_length=MAX_SHORT, required=False, allow_blank=True)
    best_time = _strict_text(MAX_SHORT)
    safe_contact = _strict_text(MAX_TEXT)
    may_contact = serializers.BooleanField(required=False, default=False)


class TipSerializer(serializers.Serializer):
    what = serializers.ChoiceField(
        choices=[code for code in What.values if code != What.NOT_TRAFFICKING]
    )
    description = StrictCharField(max_length=MAX_DESCRIPTION)
    immediate_danger = serializers.ChoiceField(choices=Answer.values)
    minor_involved = serializers.ChoiceField(choices=Answer.values)
    recency = serializers.ChoiceField(choices=Recency.values, required=False)
    when = _strict_text(MAX_SHORT)
    location = _strict_text(MAX_TEXT)
    # The choices are the configured areas (TIP_AREAS_FILE), read when the serializer is made.
    area = serializers.ChoiceField(
        choices=[],
        required=False,
        allow_blank=True,
        error_messages={"invalid_choice": gettext_lazy("Unknown area: see GET /api/v1/areas/.")},
    )
    people = _strict_text(MAX_TEXT)
    vehicles = _strict_text(MAX_TEXT)
    identifiers = IdentifiersSerializer(required=False)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(INDICATOR_CODES)),
        max_length=len(INDICATOR_CODES),
        required=False,
    )
    contact = ContactSerializer(required=False)
    language = serializers.ChoiceField(choices=["en", "es"], required=False, default="en")
    keep_original = serializers.BooleanField(required=False, default=False)

    refuses_unknown_fields = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.ChoiceField, self.fields["area"]).choices = sorted(area_codes())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A JSON name the API does not know is a mistake worth naming. The parts of a multipart
        # form are read as HTML forms are: a part nobody reads (a button's name) is ignored.
        if self.context.get("multipart"):
            return attrs
        unknown = set(self.initial_data) - set(self.fields) - {"attachments"}
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Unknown field.")] for name in sorted(unknown)}
            )
        return attrs

    def submission(self, attachments: tuple[Any, ...]) -> TipSubmission:
        data = self.validated_data
        contact = data.get("contact") or {}
        what = data["what"]
        return TipSubmission(
            what=what,
            description=data["description"],
            immediate_danger=data["immediate_danger"],
            minor_involved=data["minor_involved"],
            recency=data.get("recency", Recency.UNKNOWN),
            when=data.get("when", ""),
            location=data.get("location", ""),
            area=data.get("area", ""),
            people=data.get("people", ""),
            vehicles=data.get("vehicles", ""),
            identifiers={
                kind: [value for value in values if value.strip()]
                for kind, values in (data.get("identifiers") or {}).items()
            },
            indicators=frozenset(data.get("indicators", ())),
            contact=Contact(
                **{name: contact.get(name, "") for name in CONTACT_FIELDS},
                safe_contact=contact.get("safe_contact", ""),
                may_contact=bool(contact.get("may_contact", False)),
            ),
            language=data.get("language", "en"),
            victim_self_report=what == What.VICTIM_NEEDS_HELP,
            attachments=attachments,
        )


def _plain_data(request: Request) -> dict[str, Any]:
    """JSON as it came; multipart and form bodies flattened, nested parts decoded from JSON."""
    if not isinstance(request.data, QueryDict):
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(_("The body must be a JSON object."))
        return dict(request.data)
    data: dict[str, Any] = {}
    for name in request.data:
        if name == "indicators":
            data[name] = request.data.getlist(name)
        elif name in ("identifiers", "contact"):
            try:
                data[name] = json.loads(request.data.get(name, ""))
            except ValueError:
                raise exceptions.ValidationError({name: [_("Must be a JSON object.")]}) from None
        else:
            data[name] = request.data[name]
    return data


SUBMITTED = inline_serializer(
    "TipReceipt", {"receipt": serializers.CharField(), "status": serializers.CharField()}
)


RETRY_HEADER = "Idempotency-Key"
# At least 128 bits as the client wrote them: 22 base64url characters, 32 hex digits, a UUID.
_RETRY_KEY = re.compile(rf"^[\x21-\x7e]{{{MIN_RETRY_KEY_CHARS},{MAX_RETRY_KEY_CHARS}}}$")


class RetryKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for a different submission."
    default_code = "idempotency_key_reused"


def _retry_key(request: Request) -> str:
    key = request.headers.get(RETRY_HEADER, "")
    if key and not _RETRY_KEY.match(key):
        raise exceptions.ValidationError(
            {
                RETRY_HEADER: [
                    _(
                        "Use a random secret of at least 128 bits: 22 to 255 visible ASCII "
                        "characters, e.g. 22 base64url characters."
                    )
                ]
            }
        )
    return key


class TipUploadSerializer(TipSerializer):
    """The multipart spelling of a tip, for the schema: the same fields (nested objects as JSON
    text parts), the photos or documents, and unknown parts ignored (`TipSerializer.validate`)."""

    refuses_unknown_fields = False

    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=settings.TIP_ATTACHMENT_MAX_COUNT,
        help_text="JPEG, PNG, GIF, WebP, HEIC or PDF files; metadata is stripped before sealing.",
    )


# Nested objects in a multipart tip are JSON text, each in its own part.
_JSON_PARTS = {name: {"contentType": "application/json"} for name in ("identifiers", "contact")}


class TipsView(PublicAPIView):
    parser_classes = [BoundedJSONParser, MultiPartParser]
    rate_limit = throttle.SUBMISSIONS
    error_statuses = (422,)

    @extend_schema(
        request={
            "application/json": TipSerializer,
            "multipart/form-data": OpenApiRequest(TipUploadSerializer, encoding=_JSON_PARTS),
        },
        parameters=[
            OpenApiParameter(
                RETRY_HEADER,
                {"type": "string", "pattern": _RETRY_KEY.pattern},
                OpenApiParameter.HEADER,
                description="A client secret of at least 128 bits: a retry with the same key "
                "within 24 hours answers the same 201 and stores no second tip.",
            )
        ],
        responses={201: SUBMITTED},
    )
    def post(self, request: Request) -> Response:
        retry_key = _retry_key(request)
        serializer = TipSerializer(
            data=_plain_data(request), context={"multipart": isinstance(request.data, QueryDict)}
        )
        serializer.is_valid(raise_exception=True)
        files = request.FILES.getlist("attachments") if request.FILES else []
        cleaned, errors = clean_attachments(
            files, keep_original=serializer.validated_data.get("keep_original", False)
        )
        if errors:
            raise exceptions.ValidationError({"attachments": errors})
        try:
            submitted = actions.do_submit_tip(
                serializer.submission(tuple(cleaned)),
                retry_key=retry_key,
                same_submission_only=True,
            )
        except actions.RetryMismatch:
            raise RetryKeyReused() from None
        response = Response(
            {"receipt": submitted.receipt, "status": submitted.status},
            status=status.HTTP_201_CREATED,
        )
        if submitted.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class AreasView(PublicAPIView):
    @extend_schema(
        responses=inline_serializer(
            "Areas",
            {
                "results": inline_serializer(
                    "Area",
                    {"code": serializers.CharField(), "name": serializers.CharField()},
                    many=True,
                )
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {"results": [{"code": area.code, "name": area.label()} for area in all_areas()]}
        )


class ReceiptSerializer(serializers.Serializer):
    # The pattern is what `normalize_receipt` accepts, so the schema names the rule too.
    receipt = StrictCharField(
        max_length=64,
        validators=[
            RegexValidator(
                receipt_pattern(),
                gettext_lazy(
                    "A receipt code has 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX."
                ),
            )
        ],
    )


class MessageSerializer(ReceiptSerializer):
    """A reply as JSON: it carries no files, so it needs words."""

    body = StrictCharField(max_length=MAX_DESCRIPTION)


class MessagePartsSerializer(ReceiptSerializer):
    """The text parts of a multipart reply: `body` may be empty when files come with it
    (`FollowUpMessagesView` checks that one or the other is there)."""

    body = StrictCharField(
        max_length=MAX_DESCRIPTION,
        required=False,
        allow_blank=True,
        help_text="May be empty when `attachments` are sent; otherwise a 400 names `body`.",
    )


class MessageUploadSerializer(MessagePartsSerializer):
    """The multipart spelling of a reply, for the schema: the text parts and the files."""

    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=settings.TIP_ATTACHMENT_MAX_COUNT,
        help_text="JPEG, PNG, WebP or PDF files; metadata is stripped before sealing, and they "
        "are sealed like the message. `body` may be empty when files are sent.",
    )


def _no_tip() -> exceptions.NotFound:
    return exceptions.NotFound(_("No report matches this receipt."))


class FollowUpView(PublicAPIView):
    rate_limit = throttle.FOLLOW_UPS

    @extend_schema(
        request=ReceiptSerializer,
        responses={200: OpenApiResponse(description="status and messages"), 404: None},
    )
    def post(self, request: Request) -> Response:
        serializer = ReceiptSerializer(data=_plain_data(request))
        serializer.is_valid(raise_exception=True)
        try:
            thread = followup.read_thread(serializer.validated_data["receipt"])
        except InvalidReceipt as exc:
            raise exceptions.ValidationError({"receipt": [str(exc)]}) from None
        if thread is None:
            raise _no_tip()
        return Response(
            {
                "status": thread.status.value,
                "messages": [
                    {
                        "sender": message.sender,
                        "body": message.body,
                        "at": message.at,
                        "files": message.files,
                    }
                    for message in thread.messages
                ],
            }
        )


class FollowUpMessagesView(PublicAPIView):
    parser_classes = [BoundedJSONParser, MultiPartParser]
    rate_limit = throttle.FOLLOW_UPS

    @extend_schema(
        request={
            "application/json": MessageSerializer,
            "multipart/form-data": MessageUploadSerializer,
        },
        responses={201: None, 404: None},
    )
    def post(self, request: Request) -> Response:
        multipart = isinstance(request.data, QueryDict)
        parts = MessagePartsSerializer if multipart else MessageSerializer
        serializer = parts(data=_plain_data(request))
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data.get("body", "")
        files = request.FILES.getlist("attachments") if request.FILES else []
        if not body.strip() and not files:
            raise exceptions.ValidationError(
                {"body": [_("Write a message, or send photos or documents with it.")]}
            )
        # The tip form's checks and cleaning; replies send cleaned copies only.
        cleaned, errors = clean_attachments(files, keep_original=False)
        if errors:
            raise exceptions.ValidationError({"attachments": errors})
        try:
            tip = followup.add_information(serializer.validated_data["receipt"], body, cleaned)
        except InvalidReceipt as exc:
            raise exceptions.ValidationError({"receipt": [str(exc)]}) from None
        if tip is None:
            raise _no_tip()
        return Response({"status": tip.tipster_status.value}, status=status.HTTP_201_CREATED)
