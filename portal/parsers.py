"""A JSON parser with a size and a depth limit.

DRF reads the body stream itself, past Django's size check, so the size is checked here. Depth:
Python's decoder recurses once per level, so a body of 100,000 nested brackets (a few hundred
KB) raised RecursionError, a 500 with a traceback; no honest body of this API nests more than a
few levels, so anything deeper than `MAX_JSON_DEPTH` is a 400.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.headers.get("content-length") if request is not None else None
        try:
            declared = int(length or 0)
        except ValueError:
            raise exceptions.ParseError("Invalid Content-Length.") from None
        if limit is not None and declared > limit:
            raise RequestTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise TooDeep() from None
        if _deeper_than(data, MAX_JSON_DEPTH):
            raise TooDeep()
        return data


MAX_JSON_DEPTH = 32


class TooDeep(exceptions.ParseError):
    default_detail = f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)."


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (iteratively: no recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False
