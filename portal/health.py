"""Readiness checks behind `/readyz/`: one function per dependency, each bounded in time.

Each check answers a `Check(ok, detail)`. `detail` names a state ("ok", "unreachable",
"timed out", "last heartbeat 12 min ago") and at most an exception's class name: exception
messages carry hosts, ports and user names, and this answer goes to whoever can reach the
port. Nothing here logs.

Time bounds (a load balancer probes every few seconds and must get an answer before its own
timeout, whatever hangs):

- database: on PostgreSQL every query runs under `SET LOCAL statement_timeout` (QUERY_TIMEOUT).
  Opening a new connection is bounded by `connect_timeout` in `DATABASE_URL`
  (`postgres://…?connect_timeout=2`): libpq's own default waits up to two minutes for a host
  that drops packets. A refused or restarting server fails at once either way.
- cache: the configured cache, whose Redis client has socket timeouts
  (`CACHE_TIMEOUT_SECONDS`, portal/settings.py), so a hung Redis costs well under a second.
- broker: a connection with connect and socket timeouts and no retry (kombu's
  `ensure_connection(max_retries=1)` sleeps 2 s between its two attempts: 2 s for a closed port,
  4 s for a socket that never answers; with no retry they fail in ~0 s and ~1 s). Redis must
  answer a PING; AMQP must finish its handshake.

One dependency hanging costs about a second; all of them at once stay under ~4 s.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from kombu.transport.redis import Channel as RedisChannel

QUERY_TIMEOUT_MS = 1000
BROKER_TIMEOUT = 1.0
# A dependency counts as late after this many of its periods without a sign of life.
MISSED_PERIODS = 3

NOT_USED = "not used"
OK = "ok"

Status = Literal["ok", "degraded", "down"]


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    """The answer of `/readyz/`.

    `down` when the database fails: nothing works without it (no tip can be stored), and no
    other component can be judged (heartbeats and checkpoints live in it). `degraded` when
    anything else fails: tips are still stored, but rate limits, background work or audit
    signing are not running. Both answer 503 so that an orchestrator or a monitor notices;
    a load balancer that should keep serving tips through a worker outage can key on
    `status == "down"` instead of the status code.
    """

    components: dict[str, Check]

    @property
    def status(self) -> Status:
        if not self.components["database"].ok:
            return "down"
        if not all(check.ok for check in self.components.values()):
            return "degraded"
        return "ok"

    @property
    def http_status(self) -> int:
        return 200 if self.status == "ok" else 503

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "components": {
                name: {"ok": check.ok, "detail": check.detail}
                for name, check in self.components.items()
            },
        }


def readiness() -> Readiness:
    db = database()
    if db.ok:
        worker_check, audit_check = worker(), audit_checkpoint()
    else:
        unknown = Check(ok=False, detail="unknown: database unavailable")
        worker_check = Check(ok=True, detail=NOT_USED) if _eager() else unknown
        audit_check = unknown
    return Readiness(
        {
            "database": db,
            "cache": cache(),
            "broker": broker(),
            "worker": worker_check,
            "audit_checkpoint": audit_check,
        }
    )


# --- Components -------------------------------------------------------------------------------


def database() -> Check:
    try:
        with _bounded_queries(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed(exc)
    return Check(ok=True, detail=OK)


def cache() -> Check:
    key = f"readyz:{secrets.token_hex(8)}"
    token = secrets.token_hex(8)
    try:
        probe = caches["default"]  # a Redis cache has socket timeouts (CACHE_TIMEOUT_SECONDS)
        probe.set(key, token, timeout=30)
        answered = probe.get(key)
        probe.delete(key)
    except Exception as exc:
        return _failed(exc)
    if answered != token:
        return Check(ok=False, detail="not storing values")
    return Check(ok=True, detail=OK)


def broker() -> Check:
    if _eager():
        return Check(ok=True, detail=NOT_USED)
    from portal.celery import broker_connection  # noqa: PLC0415 - the app loads task modules

    try:
        with broker_connection(BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0, reraise_as_library_errors=False)
            if conn.transport.driver_type == "redis":
                # Creating the channel already pinged; ping on purpose, so a broker that accepts
                # connections but does not answer is caught whatever kombu does on connect.
                cast("RedisChannel", conn.default_channel).client.ping()
    except Exception as exc:
        return _failed(exc)
    return Check(ok=True, detail=OK)


def worker() -> Check:
    """A Celery worker wrote a heartbeat (on beat) within MISSED_PERIODS heartbeat periods."""
    if _eager():
        return Check(ok=True, detail=NOT_USED)
    from portal.models import WorkerHeartbeat  # noqa: PLC0415 - models load after apps

    try:
        with _bounded_queries():
            last = (
                WorkerHeartbeat.objects.filter(eager=False)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
    except Exception as exc:
        return _failed(exc)
    if last is None:
        return Check(ok=False, detail="no heartbeat yet")
    age = timezone.now() - last
    fresh = age <= heartbeat_period() * MISSED_PERIODS
    return Check(ok=fresh, detail=f"last heartbeat {_ago(age)}")


def audit_checkpoint() -> Check:
    """No audit entry has waited longer than MISSED_PERIODS checkpoint intervals to be signed.

    A checkpoint covers the entries up to its `size` (their `seq`), and the checkpointer signs
    only when the log grew, so an old checkpoint is normal on a quiet log. What must not happen
    is an entry left outside every checkpoint for longer than a few intervals: that means the
    checkpointer (beat, or the embedded runner) is not running, or refuses to sign.
    """
    from audit.models import AuditEvent, Checkpoint  # noqa: PLC0415 - models load after apps

    try:
        with _bounded_queries():
            last = Checkpoint.objects.order_by("-size").values("size", "created_at").first()
            signed = last["size"] if last else 0
            oldest_signed_later = (
                AuditEvent.objects.filter(seq__gt=signed)
                .order_by("seq")
                .values_list("at", flat=True)
                .first()
            )
            # An entry not linked into the chain yet is outside every checkpoint as well.
            oldest_unlinked = (
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values_list("at", flat=True)
                .first()
            )
            waiting_since = [t for t in (oldest_signed_later, oldest_unlinked) if t is not None]
            oldest_unsigned = min(waiting_since, default=None)
    except Exception as exc:
        return _failed(exc)
    now = timezone.now()
    last_checkpoint = f"last checkpoint {_ago(now - last['created_at'])}" if last else ""
    if oldest_unsigned is None:
        return Check(ok=True, detail=last_checkpoint or "no entries yet")
    waiting = now - oldest_unsigned
    limit = timedelta(seconds=settings.AUDIT_CHECKPOINT_INTERVAL) * MISSED_PERIODS
    if waiting <= limit:
        return Check(ok=True, detail=last_checkpoint or "no checkpoint yet")
    return Check(
        ok=False,
        detail=f"entries unsigned for {_ago(waiting, suffix='')} "
        f"({last_checkpoint or 'no checkpoint yet'})",
    )


# --- Helpers ----------------------------------------------------------------------------------


def heartbeat_period() -> timedelta:
    entry = settings.CELERY_BEAT_SCHEDULE.get("worker-heartbeat", {})
    schedule = entry.get("schedule", 60.0)
    if isinstance(schedule, timedelta):
        return schedule
    return timedelta(seconds=float(schedule))


def _eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


@contextlib.contextmanager
def _bounded_queries() -> Iterator[None]:
    """A transaction whose statements PostgreSQL cancels after QUERY_TIMEOUT_MS."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # set_config(..., true) is SET LOCAL: it ends with this transaction.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [f"{QUERY_TIMEOUT_MS}ms"]
                )
        yield


def _failed(exc: BaseException) -> Check:
    """The state an exception stands for, and its class name; never its message."""
    chain = _chain(exc)
    if any(_is_timeout(link) for link in chain):
        state = "timed out"
    elif any(_is_connection_error(link) for link in chain):
        state = "unreachable"
    else:
        state = "failing"
    return Check(ok=False, detail=f"{state} ({type(exc).__name__})")


def _chain(exc: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in links and len(links) < 8:
        links.append(current)
        current = current.__cause__ or current.__context__
    return links


def _is_timeout(exc: BaseException) -> bool:
    # Sockets, redis-py, libpq's connect_timeout, and PostgreSQL's statement_timeout (which it
    # reports as a cancelled query).
    name = type(exc).__name__
    return isinstance(exc, TimeoutError) or "Timeout" in name or name == "QueryCanceled"


def _is_connection_error(exc: BaseException) -> bool:
    # OSError covers refused and reset sockets (AMQP); redis-py and kombu name theirs so;
    # Django's OperationalError/InterfaceError is what a database that is not there raises.
    return isinstance(exc, OSError | OperationalError | InterfaceError) or (
        "Connection" in type(exc).__name__
    )


def _ago(age: timedelta, *, suffix: str = " ago") -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s{suffix}"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min{suffix}"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h{suffix}"
    return f"{seconds // 86400} days{suffix}"
