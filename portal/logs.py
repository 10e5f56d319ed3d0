"""Keep client addresses out of every log line.

The portal never logs a client address on purpose, but libraries do: runserver's "Broken pipe
from ('127.0.0.1', 5432)", gunicorn's "Invalid request from ip=...", Django's "Invalid
HTTP_HOST header". A filter on every handler rewrites such records before they are written, and
gunicorn gets a logger class that keeps no access log with addresses.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornBaseLogger

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
# IPv6 candidates (full, compressed, IPv4-mapped); each is confirmed by `ipaddress` so that
# times such as 12:30:01 stay readable.
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![\w:.])")
REDACTED = "[address]"
_EXCEPTION_FORMATTER = logging.Formatter()


def _redact_ipv6(match: re.Match[str]) -> str:
    token = match.group(0)
    try:
        ipaddress.IPv6Address(token.replace(REDACTED, "0.0.0.0"))  # noqa: S104 - not a bind
    except ValueError:
        return token
    return REDACTED


def redact_addresses(text: str) -> str:
    text = _IPV4.sub(REDACTED, text)
    if ":" in text:
        text = _IPV6_CANDIDATE.sub(_redact_ipv6, text)
    return text


class RedactAddressesFilter(logging.Filter):
    """Renders the message, strips addresses, and drops request objects from the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact_addresses(message)
        record.args = None
        # Exception text is rendered later by the formatter; render it now so it is redacted too.
        if record.exc_info and not record.exc_text:
            record.exc_text = _EXCEPTION_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_addresses(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_addresses(record.stack_info)
        # runserver and django.request attach the request/socket; no formatter may reach them.
        for attribute in ("request", "client_address"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        return True


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger with the remote address removed from access lines and errors."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactAddressesFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = "-"
        # Headers a proxy might use to pass the client address along.
        for key in list(atoms):
            if key.lower() in {
                "{x-forwarded-for}i",
                "{x-real-ip}i",
                "{forwarded}i",
                "{x-tipportal-client}i",  # set by the shipped nginx for the rate limits
            }:
                atoms[key] = "-"
        # Any other atom a format may name (`{remote_addr}e`, a header): addresses go as well.
        return {
            key: redact_addresses(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
