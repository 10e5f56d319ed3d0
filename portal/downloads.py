"""How a decrypted file leaves the server, for the staff pages and the staff API alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A decrypted file is never a document of this site: opened on its own it runs nothing, loads
# nothing and gets an opaque origin (no cookies, no storage, no same-origin requests).
SANDBOX_CSP = "default-src 'none'; sandbox"


def _sealed(response: StreamingHttpResponse) -> StreamingHttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    # Set here too, not only by portal.middleware: decrypted bytes are never cached and never
    # embedded by another site, whatever the middleware order.
    response["Cache-Control"] = "no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def download_response(
    name: str, content_type: str, chunks: Iterable[bytes]
) -> StreamingHttpResponse:
    """Always as a download: never rendered inline, never sniffed."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:100] or "attachment"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return _sealed(response)


def preview_response(content_type: str, chunks: Iterable[bytes]) -> StreamingHttpResponse:
    """A cleaned photo shown inline (an <img> on the tip page, or opened at full size), with the
    download's headers. The caller checks `content_type` is an image type (`IMAGE_TYPES`)."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return _sealed(response)
