"""The OpenAPI schema says what the API really answers.

Two things drf-spectacular does not know on its own:
- the error answers: every operation documents each status it can return with the one error
  shape of `portal.errors` (`{"error": {"code", "message", "fields"}}`), derived from what the
  view is (a body to parse, a path to look up, a staff capability, a rate limit) plus what a
  view declares in `error_statuses` for its own rules;
- the rules that make a valid-looking request invalid: text that is only whitespace where text
  is required, NUL characters (DRF refuses both), become patterns in the request schema.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from portal.errors import error_body

_ERROR_DESCRIPTIONS = {
    400: "Invalid request: `fields` names each field at fault.",
    401: "No valid credentials: sign in at POST /api/v1/auth/login/.",
    403: "Signed in, but this account may not do this, or the vault is locked.",
    404: "No such object, or not one this account may see.",
    406: "The Accept header asks for something other than JSON.",
    409: "The object's state does not allow this now (e.g. claimed by someone else).",
    410: "The tip was purged under the retention policy: `tombstone` says what is kept.",
    413: "The body, or its attachments together, are over the size or count limit.",
    415: "The body is not in a media type this operation accepts.",
    422: "The request contradicts an earlier one (see the message).",
    429: "Too many requests: wait and try again.",
    503: "A service the portal depends on is unavailable: try again later.",
}

# Text fields: DRF refuses a NUL character anywhere, and, where text is required, a value that
# is blank once trimmed. Trimming is Python's `str.strip()`, whose whitespace is not the regex
# `\s` of JSON Schema (ECMA-262): it also strips the separators U+001C-U+001F and U+0085, and
# keeps U+FEFF. So the class lists Python's whitespace itself (a test checks it, code point by
# code point).
NO_NUL = r"^[^\x00]*$"
_TRIMMED = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = rf"^[^\x00]*[^\x00{_TRIMMED}][^\x00]*$"

ERROR = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorDetail",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.JSONField(),
                    help_text="Field name → list of messages (nested for nested objects).",
                ),
            },
        )
    },
)

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _example(status_code: int) -> dict[str, Any]:
    return error_body(status_code, _ERROR_DESCRIPTIONS[status_code])


class PortalAutoSchema(AutoSchema):
    def error_statuses(self) -> set[int]:
        view = self.view
        statuses = {406, 503}
        # A DELETE that reads a body says so (`delete_takes_body`): asking drf-spectacular
        # whether a view has a request body guesses, and warns, for each view without a
        # serializer (a `check --deploy` warning).
        if self.method in _BODY_METHODS or self._delete_takes_body():
            statuses |= {400, 413, 415}
        if self.method == "GET" and self.get_override_parameters():
            statuses.add(400)
        if getattr(view, "authentication_classes", None):
            statuses |= {401, 403}
            if self.method != "GET":
                statuses.add(409)
        if "{" in self.path:
            statuses.add(404)
        if getattr(view, "gone_when_purged", False) and "{code}" in self.path:
            statuses.add(410)
        if getattr(view, "rate_limit", None):
            statuses.add(429)
        statuses |= set(getattr(view, "error_statuses", ()))
        return statuses

    def _delete_takes_body(self) -> bool:
        return self.method == "DELETE" and getattr(self.view, "delete_takes_body", False)

    def _get_request_body(self, direction: Any = "request") -> Any:
        # drf-spectacular documents bodies for PUT, PATCH and POST only; a DELETE that needs a
        # reason (releasing a legal hold) documents its body the same way.
        if not self._delete_takes_body():
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
        for status_code in sorted(self.error_statuses() | declared):
            documented = responses.get(str(status_code))
            if documented is not None and "content" in documented:
                continue
            response = self._get_response_for_code(ERROR, str(status_code), direction=direction)
            response["description"] = _ERROR_DESCRIPTIONS[status_code]
            response["content"]["application/json"]["example"] = _example(status_code)
            responses[str(status_code)] = response
        return responses

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        # drf-spectacular calls a body required only when a field is; a body that must carry
        # one of several optional fields (`requires_one_of`) cannot be left out either.
        schema, required = super()._get_request_for_media_type(serializer, direction)
        return schema, required or bool(getattr(serializer, "requires_one_of", ()))

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        one_of_these = getattr(serializer, "requires_one_of", ())
        if direction == "request" and one_of_these:
            schema["anyOf"] = [{"required": [name]} for name in one_of_these]
        return schema

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not isinstance(field, serializers.ChoiceField)
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and "format" not in schema
            and not any(isinstance(rule, RegexValidator) for rule in field.validators)
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NOT_BLANK if blank_refused else NO_NUL
        return schema
