"""The audit stream to the SIEM: RFC 5424 over UDP and a Unix socket, JSON lines to a file,
shipped after commit from a persisted cursor, and nothing lost or repeated across an outage."""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from audit import Action, record, stream
from audit.chain import linked_head
from audit.models import AuditEvent, StreamCursor
from audit.testing import link_entries
from tests import factories
from tests.commands import run

STREAMED_FIELDS = {
    "seq", "at", "actor", "role", "action", "action_name", "target_type", "target_id", "hash",
}  # fmt: skip
# <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG (RFC 5424, section 6)
RFC5424 = re.compile(
    r"<(?P<pri>\d{1,3})>1 (?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (?P<host>[!-~]{1,255}) "
    r"tip-portal - audit - (?P<msg>\{.*\})"
)


@pytest.fixture
def udp_listener(settings) -> Iterator[socket.socket]:
    """A UDP socket on a free port of 127.0.0.1, named by AUDIT_STREAM."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(10)  # a deadline for a datagram that never comes, not a wait
        settings.AUDIT_STREAM = f"syslog+udp://127.0.0.1:{sock.getsockname()[1]}"
        yield sock


def received(sock: socket.socket, count: int) -> list[re.Match[str]]:
    lines = []
    for _ in range(count):
        data = sock.recv(65536).decode("ascii")
        match = RFC5424.fullmatch(data)
        assert match, data
        lines.append(match)
    return lines


def head() -> int:
    return linked_head()


def link_entries_but_the_last() -> None:
    """Link all entries but the newest, which stays as if its sequencer run had not come yet."""
    from django.db import transaction

    from audit.record import lock_appends
    from audit.sequencer import link_locked

    newest = AuditEvent.objects.order_by("-id").first()
    with transaction.atomic():
        lock_appends()
        link_locked(limit=AuditEvent.objects.filter(seq__isnull=True).count() - 1)
    assert AuditEvent.objects.get(pk=newest.pk).seq is None


def nothing_more(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        sock.recv(65536)
    except BlockingIOError:
        return True
    finally:
        sock.settimeout(10)
    return False


def test_it_sends_rfc5424_lines_over_udp_for_new_entries(db, udp_listener, make_user):
    investigator = make_user("investigator", "ivy")
    record(Action.TIP_CLAIMED, actor=investigator, target=("tips.tip", "abc"), change=3)
    record(Action.LOGIN_FAILED, actor="anonymous")
    link_entries()

    printed = run("stream_audit")

    total = head()
    assert f"shipped {total} entries" in printed and ", 0 waiting" in printed
    matches = received(udp_listener, total)
    messages = [json.loads(match["msg"]) for match in matches]
    assert [message["seq"] for message in messages] == list(range(1, total + 1))
    assert all(set(message) == STREAMED_FIELDS for message in messages)
    assert int(matches[0]["pri"]) == 13 * 8 + 6  # facility "log audit", severity info
    claimed = next(m for m in messages if m["action_name"] == "TIP_CLAIMED")
    assert claimed["actor"] == str(investigator.pk)
    assert claimed["role"] == "investigator"
    assert (claimed["target_type"], claimed["target_id"]) == ("tips.tip", "abc")
    event = AuditEvent.objects.get(seq=claimed["seq"])
    assert claimed["hash"] == bytes(event.chain).hex()
    assert matches[0]["at"] == messages[0]["at"]
    failed = next(m for m in messages if m["action_name"] == "LOGIN_FAILED")
    assert failed["role"] == "anonymous"


def test_it_ships_only_entries_after_the_cursor(db, udp_listener):
    record(Action.AUDIT_VIEWED, actor="system")
    link_entries()
    run("stream_audit")
    received(udp_listener, head())

    record(Action.AUDIT_VIEWED, actor="system", page=2)
    record(Action.AUDIT_VIEWED, actor="system", page=3)  # not linked yet: not shipped
    link_entries_but_the_last()
    printed = run("stream_audit")

    assert "shipped 1 entries" in printed
    [match] = received(udp_listener, 1)
    assert json.loads(match["msg"])["seq"] == head()
    assert nothing_more(udp_listener)


def test_it_writes_json_lines_to_a_file_without_tip_content(submit, settings, tmp_path):
    path = tmp_path / "siem" / "audit.jsonl"
    path.parent.mkdir()
    settings.AUDIT_STREAM = f"file:{path}"
    submit(contact=factories.tipster_contact())
    link_entries()

    run("stream_audit")

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, head() + 1))
    assert all(set(line) == STREAMED_FIELDS for line in lines)
    assert "TIP_SUBMITTED" in {line["action_name"] for line in lines}
    text = path.read_text()
    for secret in (
        factories.DESCRIPTION,
        factories.TIPSTER_NAME,
        factories.TIPSTER_PHONE,
        "7ABC123",
    ):
        assert secret not in text
    assert not re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", text)  # no address


def test_it_ships_after_the_commit_never_inside_it(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "audit.jsonl"
    settings.AUDIT_STREAM = f"file:{path}"
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: the kick ships in-process

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(Action.AUDIT_VIEWED, actor="system")
        assert not path.exists()  # the entry's transaction is still open: nothing sent
    assert stream.kick in callbacks

    [line] = [json.loads(text) for text in path.read_text().splitlines()]
    assert line["seq"] == head()


def test_one_transaction_kicks_the_stream_once_however_many_entries_it_writes(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.AUDIT_STREAM = f"file:{tmp_path / 'audit.jsonl'}"

    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(3):
            record(Action.AUDIT_VIEWED, actor="system")

    assert callbacks.count(stream.kick) == 1


def test_it_keeps_everything_through_an_outage_and_ships_it_once_in_order(db, settings, tmp_path):
    address = tmp_path / "siem.sock"
    settings.AUDIT_STREAM = f"syslog+unix://{address}"
    for page in range(3):
        record(Action.AUDIT_VIEWED, actor="system", page=page)
    link_entries()

    with pytest.raises(CommandError, match="syslog target unavailable"):
        run("stream_audit")  # nobody listens on the socket: the SIEM is down
    assert StreamCursor.objects.get().shipped_seq == 0
    for page in range(3, 6):
        record(Action.AUDIT_VIEWED, actor="system", page=page)
    link_entries()

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as siem:
        siem.bind(str(address))
        siem.settimeout(10)
        printed = run("stream_audit")  # the SIEM is back
        total = head()
        seqs = [json.loads(match["msg"])["seq"] for match in received(siem, total)]
        assert nothing_more(siem)
        run("stream_audit")
        assert nothing_more(siem)

    assert f"shipped {total} entries" in printed
    assert seqs == list(range(1, total + 1))
    assert StreamCursor.objects.get().shipped_seq == total


def test_it_keeps_the_cursor_at_the_last_entry_delivered(db, settings, tmp_path, monkeypatch):
    path = tmp_path / "audit.jsonl"
    settings.AUDIT_STREAM = f"file:{path}"
    for page in range(4):
        record(Action.AUDIT_VIEWED, actor="system", page=page)
    link_entries()
    sent: list[int] = []

    def flaky(self, message):
        if len(sent) == 2:
            raise stream.StreamUnavailableError("disk full")
        sent.append(message["seq"])
        real_send(self, message)

    real_send = stream.FileTarget.send
    monkeypatch.setattr(stream.FileTarget, "send", flaky)
    with pytest.raises(CommandError, match="disk full"):
        run("stream_audit")
    assert StreamCursor.objects.get().shipped_seq == 2

    monkeypatch.setattr(stream.FileTarget, "send", real_send)
    run("stream_audit")

    seqs = [json.loads(line)["seq"] for line in path.read_text().splitlines()]
    assert seqs == list(range(1, head() + 1))


def test_it_is_off_by_default_and_on_beat(db, settings):
    assert settings.AUDIT_STREAM == ""
    assert "nothing to ship" in run("stream_audit")
    assert settings.CELERY_BEAT_SCHEDULE["audit-stream"]["task"] == "audit.tasks.stream_audit"


@pytest.mark.parametrize(
    "value",
    ["syslog+tcp://127.0.0.1:514", "file:relative/path", "syslog+udp://127.0.0.1", "ftp://x"],
)
def test_it_refuses_a_target_it_cannot_use(value):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        stream.parse_target(value)


def test_it_parses_the_targets(tmp_path: Path):
    assert stream.parse_target("") is None
    assert isinstance(stream.parse_target(f"file:{tmp_path}/a.jsonl"), stream.FileTarget)
    udp = stream.parse_target("syslog+udp://127.0.0.1:5514")
    assert isinstance(udp, stream.SyslogTarget) and udp.address == ("127.0.0.1", 5514)
    unix = stream.parse_target("syslog+unix:///dev/log")
    assert isinstance(unix, stream.SyslogTarget) and unix.address == "/dev/log"


@contextlib.contextmanager
def another_run_shipping() -> Iterator[None]:
    """Hold the stream's lock the way a concurrent run does: from another database session on
    PostgreSQL, in this process on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        with stream._local_lock:
            yield
        return
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"], host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
        user=params["USER"] or "postgres", password=params["PASSWORD"] or None, autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_advisory_lock(%s)", [stream.STREAM_LOCK_KEY])
        yield
        other.execute("SELECT pg_advisory_unlock(%s)", [stream.STREAM_LOCK_KEY])


def test_it_lets_one_run_ship_at_a_time(db, udp_listener):
    record(Action.AUDIT_VIEWED, actor="system")
    link_entries()

    with another_run_shipping():
        assert "shipped 0 entries" in run("stream_audit")
        assert nothing_more(udp_listener)
    printed = run("stream_audit")

    assert f"shipped {head()} entries" in printed
    assert len(received(udp_listener, head())) == head()
