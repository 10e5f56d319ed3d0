"""How a decrypted file leaves the server, for the staff pages and the staff API alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse


def download_response(
    name: str, content_type: str, chunks: Iterable[bytes]
) -> StreamingHttpResponse:
    """Always as a download: never rendered inline, never sniffed."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:100] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
