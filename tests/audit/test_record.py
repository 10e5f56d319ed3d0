import datetime as dt
import hashlib
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import audit
from audit import Action, record
from audit.encoding import REDACTED, ZERO_HASH, DetailsError
from audit.models import AppendOnlyError, AuditEvent, Checkpoint
from audit.testing import link_entries, record_linked
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_it_appends_an_entry_with_a_user_actor_and_a_model_target(make_user):
    user = make_user(Role.SUPERVISOR)
    event = record_linked(Action.ACCOUNT_CREATED, actor=user, target=user, role="supervisor")
    assert (event.seq, event.actor, event.action) == (1, str(user.pk), Action.ACCOUNT_CREATED)
    assert (event.target_type, event.target_id) == ("portal.user", str(user.pk))
    assert event.entry == {
        "v": 1,
        "seq": 1,
        "at": event.entry["at"],
        "actor": str(user.pk),
        "action": 410,
        "target": ["portal.user", str(user.pk)],
        "details": {"role": "supervisor"},
    }


def test_it_stores_canonical_json_and_chains_the_hashes():
    first = record(Action.VAULT_INITIALIZED, actor="system")
    second = record(Action.DESK_CREATED, actor="system", target=("vault.desk", "triage"), b=1, a=2)
    assert link_entries() == 2
    first, second = (AuditEvent.objects.get(pk=event.pk) for event in (first, second))
    assert (first.seq, second.seq) == (1, 2)
    canon = bytes(second.canon)
    assert (
        canon
        == json.dumps(
            json.loads(canon), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    assert canon.index(b'"a":2') < canon.index(b'"b":1')
    assert bytes(first.prev) == ZERO_HASH
    assert bytes(second.prev) == bytes(first.chain)
    leaf = hashlib.sha256(b"\x00" + canon).digest()
    assert bytes(second.chain) == hashlib.sha256(bytes(first.chain) + leaf).digest()


def test_it_names_anonymous_and_system_actors():
    assert record(Action.TIP_SUBMITTED, actor=None).actor == "anonymous"
    assert record(Action.TIP_SUBMITTED, actor="anonymous").actor == "anonymous"
    assert record(Action.TIP_SUBMITTED, actor=AnonymousUser()).actor == "anonymous"
    assert record(Action.URGENT_ESCALATED, actor="system").actor == "system"


def test_it_refuses_an_actor_it_cannot_name():
    with pytest.raises(ValueError, match="actor"):
        record(Action.TIP_SUBMITTED, actor="root")
    with pytest.raises(TypeError):
        record(Action.TIP_SUBMITTED, actor=42)


def test_it_uses_a_targets_public_code_when_it_has_one(make_user):
    user = make_user(Role.INVESTIGATOR)
    user.code = "0f6c1d6e-7f1a-4d8e-9a51-3c3c2b1a0e9f"  # as tips and handoffs carry
    event = record(Action.TIP_VIEWED, actor=user, target=user)
    assert event.target_id == "0f6c1d6e-7f1a-4d8e-9a51-3c3c2b1a0e9f"
    tupled = record(Action.TIP_VIEWED, actor=user, target=("tips.tip", 17))
    assert (tupled.target_type, tupled.target_id) == ("tips.tip", "17")
    assert record(Action.LOGGED_OUT, actor=user).target_type == ""


def test_it_refuses_an_unsaved_or_unknown_target(make_user):
    from portal.models import User

    with pytest.raises(ValueError, match="save the target"):
        record(Action.ACCOUNT_CREATED, actor="system", target=User(username="x"))
    with pytest.raises(TypeError):
        record(Action.ACCOUNT_CREATED, actor="system", target="portal.user:1")
    with pytest.raises(ValueError):
        record(Action.ACCOUNT_CREATED, actor="system", target=("portal.user", "x" * 101))


def test_it_redacts_secret_looking_keys_at_any_depth():
    event = record(
        Action.TOKEN_ISSUED,
        actor="system",
        prefix="ab12",
        token="secret-value",
        new_password="hunter2",
        nested={"api_key": "k", "ok": 1, "items": [{"receipt": "r", "n": 2}]},
        OTP="123456",
    )
    assert event.seq is None and event.canon is None  # linked after the commit
    assert b"secret-value" not in bytes(event.details_json)
    event = AuditEvent.objects.get(pk=event.pk)
    link_entries()
    event = AuditEvent.objects.get(pk=event.pk)
    details = event.details
    assert details["prefix"] == "ab12"
    assert details["token"] == details["new_password"] == details["OTP"] == REDACTED
    assert details["nested"] == {
        "api_key": REDACTED,
        "ok": 1,
        "items": [{"receipt": REDACTED, "n": 2}],
    }
    assert b"secret-value" not in bytes(event.canon)
    assert b"hunter2" not in bytes(event.canon)


@pytest.mark.parametrize(
    "details",
    [
        {"when": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        {"tags": {"a", "b"}},
        {"obj": object()},
        {"ratio": float("nan")},
        {"name": "a\x00b"},
        {"big": "x" * 2100},
    ],
    ids=["datetime", "set", "object", "nan", "nul", "over-2kb"],
)
def test_it_refuses_details_that_are_not_small_json(details):
    with pytest.raises(DetailsError):
        record(Action.NOTE_ADDED, actor="system", **details)
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_unknown_action():
    with pytest.raises(ValueError):
        record(999, actor="system")
    assert record(201, actor="system").action == Action.TIP_CLAIMED


def test_it_rolls_back_with_the_callers_transaction():
    record(Action.TIP_SUBMITTED, actor=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(Action.TIP_CLAIMED, actor="system")
        raise RuntimeError("the action failed")
    assert AuditEvent.objects.count() == 1
    link_entries()
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1]
    assert record_linked(Action.TIP_CLAIMED, actor="system").seq == 2  # no gap left behind


def test_it_appends_with_one_insert_and_no_lock():
    for _ in range(30):
        record(Action.TIP_SUBMITTED, actor=None)
    with CaptureQueriesContext(connection) as context:
        record(Action.TIP_SUBMITTED, actor=None)
    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    # No chain lock and no head read: one INSERT of the unlinked entry.
    assert len(statements) == 1, statements
    assert statements[0].startswith("INSERT INTO audit_event")
    assert "seq" not in statements[0].split("VALUES")[0]


def test_it_links_in_constant_work_reading_only_the_head():
    for _ in range(30):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    record(Action.TIP_SUBMITTED, actor=None)
    with CaptureQueriesContext(connection) as context:
        assert link_entries() == 1
    statements = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The lock (PostgreSQL), one read of the head and the unlinked entries, one UPDATE.
    assert len(statements) == (3 if connection.vendor == "postgresql" else 2), statements
    head_read = statements[-2]
    assert "ORDER BY seq DESC LIMIT 1" in head_read and "WHERE seq IS NULL" in head_read
    assert "UPDATE audit_event" in statements[-1]


def test_it_refuses_to_change_or_delete_entries_from_python():
    event = record(Action.TIP_SUBMITTED, actor=None)
    event.actor = "system"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(actor="system")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(seq=2)])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(seq=2, canon=b"{}", prev=ZERO_HASH, chain=ZERO_HASH)
    with pytest.raises(AppendOnlyError):
        Checkpoint.objects.all().delete()
    assert AuditEvent.objects.get().actor == "anonymous"


def test_it_exports_record_and_action_from_the_package():
    assert audit.record is record
    assert audit.Action is Action
    assert Action.parse("tip_claimed") is Action.TIP_CLAIMED
    assert Action.parse("201") is Action.TIP_CLAIMED
    with pytest.raises(ValueError):
        Action.parse("TIP_EATEN")


def test_it_numbers_actions_in_blocks_by_area():
    blocks = {
        "TIP_SUBMITTED": 100,
        "TIP_CLAIMED": 200,
        "HANDOFF_CREATED": 300,
        "LOGIN_SUCCEEDED": 400,
        "VAULT_INITIALIZED": 500,
        "AUDIT_VIEWED": 600,
        "ORGANIZATION_CREATED": 700,
    }
    for name, block in blocks.items():
        assert Action[name] // 100 * 100 == block
    assert len({action.value for action in Action}) == len(Action)


def test_it_returns_the_entry_exactly_as_it_was_stored():
    target = ("tips.tip", "T-1234")
    returned = record(Action.TIP_CLAIMED, actor="system", target=target, reason="duplicate")

    stored = AuditEvent.objects.get(pk=returned.pk)
    for name in ("id", "seq", "at", "actor", "action", "target_type", "target_id"):
        assert getattr(stored, name) == getattr(returned, name), name
    for name in ("canon", "prev", "chain"):
        assert getattr(stored, name) is getattr(returned, name) is None, name
    assert bytes(stored.details_json) == bytes(returned.details_json)
    assert stored.details == returned.details == {"reason": "duplicate"}
    assert stored.entry == returned.entry and returned.entry["seq"] is None

    link_entries()
    linked = AuditEvent.objects.get(pk=returned.pk)
    assert linked.seq == 1
    # Linking keeps what was recorded: time, actor, action, target and details.
    assert linked.entry == {**returned.entry, "seq": 1}
