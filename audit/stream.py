"""Audit entries streamed to the county's SIEM, as JSON lines to a file or as RFC 5424 syslog.

    AUDIT_STREAM = ""                              # off (the default)
    AUDIT_STREAM = "file:/var/log/tip-portal/audit.jsonl"
    AUDIT_STREAM = "syslog+udp://127.0.0.1:514"    # host:port, IPv6 as [::1]:514
    AUDIT_STREAM = "syslog+unix:///dev/log"        # a local datagram socket

Each entry becomes one message with only `seq`, `at`, `actor`, `role`, `action`,
`action_name`, `target_type`, `target_id` and `hash` (the chain hash, hex): no details, no tip
content, no sealed field, no address.

Shipping never happens inside the transaction that writes an entry: `audit.record` asks for a
run after its transaction commits (`kick`), and beat runs `audit.tasks.stream_audit` every
AUDIT_STREAM_INTERVAL seconds. A run reads the entries after a persisted cursor
(`StreamCursor`), sends them in seq order, and moves the cursor past each entry once it was
handed to the target; when the target is down it stops, the cursor stays at the last entry
delivered, and the next run starts there. So an outage delays entries, never loses them, and
they arrive once and in order. (A crash between a send and the cursor update sends that one
entry again: consumers can drop a repeated `seq`.) Only linked entries are shipped, and only
once their linking is durable: the sequencer commits asynchronously, so each batch first
commits a write of its own (the cursor's time), which flushes the WAL past what it read. Only
one run ships at a time: a PostgreSQL advisory lock across processes, a lock in the process on
SQLite.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from audit.encoding import format_time
from audit.events import Action

logger = logging.getLogger(__name__)

APP_NAME = "tip-portal"
MSGID = "audit"
SEVERITY_INFO = 6
DEFAULT_BATCH = 500
SEND_TIMEOUT = 5.0
# Facility 13 is "log audit" in RFC 5424's table.
DEFAULT_FACILITY = 13
STREAM_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"tip-portal/audit/stream").digest()[:8], "big", signed=True
)
_local_lock = threading.Lock()


class StreamUnavailableError(Exception):
    """The target did not take a message; the cursor stays at the last one delivered."""


class Target(Protocol):
    name: str

    def open(self) -> None: ...

    def send(self, message: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def _json(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


@dataclass
class FileTarget:
    """JSON lines appended to a file (mode 0640), fsynced once per run."""

    path: Path
    name: str = ""

    def __post_init__(self) -> None:
        self.name = f"file:{self.path}"
        self._fd: int | None = None

    def open(self) -> None:
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise StreamUnavailableError(f"cannot open the stream file: {exc.strerror}") from None

    def send(self, message: dict[str, Any]) -> None:
        if self._fd is None:
            raise StreamUnavailableError("the stream file is not open")
        try:
            os.write(self._fd, (_json(message) + "\n").encode())
        except OSError as exc:
            raise StreamUnavailableError(f"cannot write the stream file: {exc.strerror}") from None

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


def syslog_line(message: dict[str, Any], *, facility: int, hostname: str) -> bytes:
    """RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, MSG the JSON."""
    priority = facility * 8 + SEVERITY_INFO
    header = f"<{priority}>1 {message['at']} {hostname} {APP_NAME} - {MSGID} -"
    return f"{header} {_json(message)}".encode("ascii")


@dataclass
class SyslogTarget:
    """RFC 5424 messages as datagrams, one per entry, over UDP or a local Unix socket."""

    family: socket.AddressFamily
    address: tuple[str, int] | str
    name: str

    def __post_init__(self) -> None:
        self._socket: socket.socket | None = None
        self.facility = settings.AUDIT_STREAM_FACILITY
        self.hostname = _hostname()

    def open(self) -> None:
        sock = socket.socket(self.family, socket.SOCK_DGRAM)
        sock.settimeout(SEND_TIMEOUT)
        try:
            # Connected, so that a refusal (nobody listening) surfaces as an error to retry.
            sock.connect(self.address)
        except OSError as exc:
            sock.close()
            raise StreamUnavailableError(
                f"syslog target unavailable ({type(exc).__name__})"
            ) from None
        self._socket = sock

    def send(self, message: dict[str, Any]) -> None:
        if self._socket is None:
            raise StreamUnavailableError("the syslog socket is not open")
        try:
            self._socket.send(syslog_line(message, facility=self.facility, hostname=self.hostname))
        except OSError as exc:
            raise StreamUnavailableError(
                f"syslog target unavailable ({type(exc).__name__})"
            ) from None

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _hostname() -> str:
    """RFC 5424 HOSTNAME: printable ASCII without spaces, at most 255 characters, or "-"."""
    name = settings.AUDIT_STREAM_HOSTNAME or socket.gethostname()
    cleaned = "".join(ch for ch in name if "!" <= ch <= "~")[:255]
    return cleaned or "-"


def parse_target(value: str) -> Target | None:
    """The target an AUDIT_STREAM value names; None when streaming is off."""
    value = value.strip()
    if not value:
        return None
    if value.startswith("file:"):
        path = value.removeprefix("file:").removeprefix("//")
        if not path.startswith("/"):
            raise ImproperlyConfigured("AUDIT_STREAM file: needs an absolute path (file:/path)")
        return FileTarget(Path(path))
    parts = urlsplit(value)
    if parts.scheme == "syslog+udp":
        if not parts.hostname or not parts.port:
            raise ImproperlyConfigured("AUDIT_STREAM syslog+udp:// needs host:port")
        family = socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET
        return SyslogTarget(family, (parts.hostname, parts.port), value)
    if parts.scheme == "syslog+unix":
        if not parts.path.startswith("/"):
            raise ImproperlyConfigured("AUDIT_STREAM syslog+unix:// needs a socket path")
        return SyslogTarget(socket.AF_UNIX, parts.path, value)
    raise ImproperlyConfigured(
        "AUDIT_STREAM must be empty, file:/path, syslog+udp://host:port or syslog+unix:///path"
    )


def configured_target() -> Target | None:
    return parse_target(settings.AUDIT_STREAM)


# --- What is streamed ------------------------------------------------------------------------

StreamRow = tuple[int, Any, str, int, str, str, bytes | memoryview]


def _action_name(number: int) -> str:
    try:
        return Action(number).name
    except ValueError:
        return str(number)


def _roles(actors: set[str]) -> dict[str, str]:
    from portal.models import User  # noqa: PLC0415 - the audit app must not need accounts to load

    ids = [int(actor) for actor in actors if actor.isdigit()]
    # Reported as they are now, never compared: what a role may do is portal/roles.py's.
    found = dict(User.objects.filter(pk__in=ids).values_list("pk", "role"))
    return {str(pk): str(name) for pk, name in found.items()}


def messages_for(rows: Sequence[StreamRow]) -> list[dict[str, Any]]:
    roles = _roles({row[2] for row in rows})
    return [
        {
            "seq": seq,
            "at": format_time(at),
            "actor": actor,
            # "anonymous" and "system" are their own role; a deleted account's id has none.
            "role": roles.get(actor, actor if not actor.isdigit() else "unknown"),
            "action": action,
            "action_name": _action_name(action),
            "target_type": target_type,
            "target_id": target_id,
            "hash": bytes(chain).hex(),
        }
        for seq, at, actor, action, target_type, target_id, chain in rows
    ]


# --- Shipping --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shipped:
    target: str
    count: int
    cursor: int
    waiting: int
    problem: str = ""


@contextlib.contextmanager
def _exclusive() -> Iterator[bool]:
    """True when this run may ship; False when another run holds the stream."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [STREAM_LOCK_KEY])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [STREAM_LOCK_KEY])
        return
    acquired = _local_lock.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            _local_lock.release()


def ship(*, batch_size: int = DEFAULT_BATCH) -> Shipped | None:
    """Send every entry after the cursor, in order; None when streaming is off.

    Stops at the first message the target refuses (problem set), or when another run holds
    the stream (count 0). Callers run it outside transactions (after commit, beat, the
    command): the sends must never hold a transaction open.
    """
    from audit.models import AuditEvent, StreamCursor  # noqa: PLC0415 - imported by audit.record

    target = configured_target()
    if target is None:
        return None
    cursor, _ = StreamCursor.objects.get_or_create(target=target.name[:255])
    shipped, problem = 0, ""
    with _exclusive() as mine:
        if not mine:
            return Shipped(target.name, 0, cursor.shipped_seq, 0)
        cursor.refresh_from_db()
        entries = AuditEvent.objects.order_by("seq").values_list(
            "seq", "at", "actor", "action", "target_type", "target_id", "chain"
        )
        try:
            target.open()
            # Linked entries only (seq > cursor): their seq and chain are never NULL.
            while rows := cast(
                list[StreamRow], list(entries.filter(seq__gt=cursor.shipped_seq)[:batch_size])
            ):
                # A committed write first: the sequencer commits asynchronously, and this
                # commit flushes the WAL past every linking just read, so that nothing is sent
                # that a crash could still undo.
                StreamCursor.objects.filter(pk=cursor.pk).update(updated_at=timezone.now())
                delivered = 0
                try:
                    for message in messages_for(rows):
                        target.send(message)
                        delivered = message["seq"]
                        shipped += 1
                finally:
                    if delivered:
                        StreamCursor.objects.filter(pk=cursor.pk).update(
                            shipped_seq=delivered, updated_at=timezone.now()
                        )
                        cursor.shipped_seq = delivered
        except StreamUnavailableError as exc:
            problem = str(exc)
            logger.warning("audit stream paused at entry %s: %s", cursor.shipped_seq, problem)
        finally:
            target.close()
    waiting = AuditEvent.objects.filter(seq__gt=cursor.shipped_seq).count()
    return Shipped(target.name, shipped, cursor.shipped_seq, waiting, problem)


def kick() -> None:
    """After a commit that wrote entries: ship them now, best effort (beat is the guarantee)."""
    if not settings.AUDIT_STREAM:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            ship()
        except Exception:  # never let the stream break the request that audited
            logger.exception("audit stream run failed")
        return
    from audit.tasks import stream_audit  # noqa: PLC0415 - tasks import this module
    from portal.celery import broker_connection  # noqa: PLC0415 - the app imports settings

    try:
        with broker_connection(settings.OUTBOX_NUDGE_TIMEOUT) as broker:
            stream_audit.apply_async(connection=broker, retry=False)  # type: ignore[call-arg]  # Celery passes it on to send_task; celery-types omits it
    except Exception as exc:
        logger.warning(
            "broker unavailable (%s): the audit stream waits for beat", type(exc).__name__
        )
