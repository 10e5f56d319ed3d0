"""Every state change of the vault writes its audit entry, in the same transaction."""

import io

import pytest
from django.core.management import CommandError
from django.db import transaction
from django.test import override_settings

from audit import Action
from audit.models import AuditEvent
from audit.record import target_ref
from audit.testing import link_entries
from partners.models import Organization
from portal import vault
from portal.vault.models import Desk, DeskGrant, PersonalKey, RecoveryKey
from portal.vault.rotation import start_rotation
from tests.commands import run
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db

VAULT_ACTIONS = {
    Action.VAULT_INITIALIZED,
    Action.DESK_CREATED,
    Action.DESK_GRANTED,
    Action.DESK_REVOKED,
    Action.DESK_KEY_ROTATED,
    Action.PERSONAL_KEY_CREATED,
    Action.PERSONAL_KEY_REWRAPPED,
    Action.RECOVERY_KEY_USED,
    Action.ORGANIZATION_CREATED,
}


def entries(action: Action) -> list[AuditEvent]:
    link_entries()  # the test's transaction never commits: sequence explicitly, for `seq`
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def only(action: Action) -> AuditEvent:
    found = entries(action)
    assert len(found) == 1, f"{action.name}: {len(found)} entries"
    return found[0]


def is_about(event: AuditEvent, target: object) -> bool:
    return (event.target_type, event.target_id) == target_ref(target)


def vault_entries() -> list[AuditEvent]:
    link_entries()
    return [e for e in AuditEvent.objects.order_by("seq") if e.action in VAULT_ACTIONS]


# --- Commands -----------------------------------------------------------------------------------


def test_vault_init_records_the_vault_and_its_triage_desk(key_file) -> None:
    initialized = only(Action.VAULT_INITIALIZED)
    assert initialized.actor == "system"
    assert is_about(initialized, RecoveryKey.objects.get())
    created = only(Action.DESK_CREATED)
    assert created.actor == "system" and is_about(created, vault.triage_desk())
    assert created.details == {"slug": "triage", "organization": None, "version": 1}
    assert created.seq < initialized.seq


def test_create_org_records_the_organization_and_its_desk(key_file) -> None:
    run("create_org", "safe-housing", name="Safe Housing", services="housing,legal")
    organization = Organization.objects.get(slug="safe-housing")
    created = only(Action.ORGANIZATION_CREATED)
    assert created.actor == "system" and is_about(created, organization)
    assert created.details["services"] == ["housing", "legal"]
    desk = [e for e in entries(Action.DESK_CREATED) if is_about(e, organization.desk)]
    assert len(desk) == 1 and desk[0].details["organization"] == organization.pk


def test_grant_desk_records_the_grant_and_the_use_of_the_recovery_key(
    key_file, make_member
) -> None:
    user = make_member("ivy")
    run("grant_desk", "ivy", "triage", recovery_key_file=str(key_file))
    triage = vault.triage_desk()
    used = only(Action.RECOVERY_KEY_USED)
    assert used.actor == "system" and is_about(used, triage)
    assert used.details == {"purpose": "grant_desk"}
    granted = only(Action.DESK_GRANTED)
    assert granted.actor == "system" and is_about(granted, user)
    assert granted.details == {"desk": "triage", "versions": [1], "using": "recovery"}
    assert used.seq < granted.seq


def test_a_refused_grant_records_nothing(key_file, make_member) -> None:
    make_member("ada", role="admin")
    with pytest.raises(CommandError, match="may not"):
        run("grant_desk", "ada", "triage", recovery_key_file=str(key_file))
    assert not entries(Action.DESK_GRANTED) and not entries(Action.RECOVERY_KEY_USED)


def test_revoke_desk_records_the_revocation_only_when_there_was_a_grant(
    key_file, make_member
) -> None:
    user = make_member("ivy")
    run("grant_desk", "ivy", "triage", recovery_key_file=str(key_file))
    run("revoke_desk", "ivy", "triage")
    revoked = only(Action.DESK_REVOKED)
    assert revoked.actor == "system" and is_about(revoked, user)
    assert revoked.details == {"desk": "triage", "versions": [1]}
    assert "did not hold" in run("revoke_desk", "ivy", "triage")
    assert len(entries(Action.DESK_REVOKED)) == 1


def test_rotate_desk_key_records_start_and_finish_with_the_recovery_key(
    key_file, make_member
) -> None:
    run("grant_desk", make_member("ivy").username, "triage", recovery_key_file=str(key_file))
    vault.encrypt_record(("tips.tip", 1), {"d": b"x"}, desks=[vault.triage_desk()])
    run("rotate_desk_key", "triage", recovery_key_file=str(key_file), batch_size=1)
    triage = vault.triage_desk()
    started, finished = entries(Action.DESK_KEY_ROTATED)
    assert all(e.actor == "system" and is_about(e, triage) for e in (started, finished))
    assert started.details == {
        "phase": "started",
        "from_version": 1,
        "version": 2,
        "regranted": 1,
        "using": "recovery",
    }
    assert finished.details == {
        "phase": "finished",
        "version": 2,
        "rewrapped": 1,
        "retired_versions": [1],
        "versions_in_use": [],
    }
    rotation_uses = [
        e for e in entries(Action.RECOVERY_KEY_USED) if e.details["purpose"] == "rotate_desk_key"
    ]
    assert len(rotation_uses) == 1 and rotation_uses[0].seq < started.seq


def test_rotate_desk_key_as_a_member_is_that_member_s_act(
    key_file, make_member, monkeypatch
) -> None:
    user = make_member("ivy")
    run("grant_desk", "ivy", "triage", recovery_key_file=str(key_file))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    run("rotate_desk_key", "triage", as_user="ivy")
    started, finished = entries(Action.DESK_KEY_ROTATED)
    assert started.actor == finished.actor == str(user.pk)
    assert started.details["using"] == "member"
    assert [e.details["purpose"] for e in entries(Action.RECOVERY_KEY_USED)] == ["grant_desk"]


def test_no_vault_entry_carries_key_material(key_file, make_member) -> None:
    run("create_org", "drop-in", name="Drop-in", services="shelter")
    run("grant_desk", make_member("ivy").username, "triage", recovery_key_file=str(key_file))
    run("rotate_desk_key", "triage", recovery_key_file=str(key_file))
    recovery_text = key_file.read_text().strip().encode()
    public_keys = [bytes(d.public_key).hex().encode() for d in Desk.objects.all()]
    found = vault_entries()
    assert {e.action for e in found} >= {
        Action.VAULT_INITIALIZED,
        Action.ORGANIZATION_CREATED,
        Action.DESK_GRANTED,
        Action.DESK_KEY_ROTATED,
        Action.RECOVERY_KEY_USED,
    }
    for event in found:
        canon = bytes(event.canon)
        assert b"[redacted]" not in canon  # no detail is named like a secret, so none is hidden
        assert recovery_text not in canon
        assert all(public not in canon for public in public_keys)
        assert len(canon) < 600


# --- Functions ----------------------------------------------------------------------------------


def test_a_session_grant_is_the_granting_member_s_act(make_member, investigator, triage) -> None:
    supervisor = make_member("sam", role="supervisor")
    vault.grant_desk_from_session(triage, supervisor, vault.unlock(investigator, PASSWORD))
    granted = [e for e in entries(Action.DESK_GRANTED) if is_about(e, supervisor)]
    assert len(granted) == 1
    assert granted[0].actor == str(investigator.pk)
    assert granted[0].details["using"] == "member"
    # No recovery key involved: the only use is the fixture's grant to the investigator.
    assert len(entries(Action.RECOVERY_KEY_USED)) == 1


def test_a_session_grant_takes_an_explicit_actor(make_member, investigator, triage) -> None:
    supervisor, other = make_member("sam", role="supervisor"), make_member("oscar")
    unlocked = vault.unlock(investigator, PASSWORD)
    vault.grant_desk_from_session(triage, other, unlocked, actor=supervisor)
    granted = [e for e in entries(Action.DESK_GRANTED) if is_about(e, other)]
    assert [e.actor for e in granted] == [str(supervisor.pk)]


def test_revoke_desk_takes_an_actor(make_member, investigator, triage) -> None:
    supervisor = make_member("sam", role="supervisor")
    assert vault.revoke_desk(triage, investigator, actor=supervisor) == 1
    revoked = only(Action.DESK_REVOKED)
    assert revoked.actor == str(supervisor.pk) and is_about(revoked, investigator)


def test_creating_a_personal_key_is_recorded(make_member, db) -> None:
    user = make_member("ivy")
    created = only(Action.PERSONAL_KEY_CREATED)
    assert created.actor == "system" and is_about(created, user)
    assert created.details["replaced"] is False and created.details["grants_dropped"] == 0


def test_replacing_a_personal_key_records_the_dropped_grants(investigator, triage) -> None:
    vault.create_personal_key(investigator, "after a forgotten password 3", actor=investigator)
    replaced = entries(Action.PERSONAL_KEY_CREATED)[-1]
    assert replaced.actor == str(investigator.pk) and is_about(replaced, investigator)
    assert replaced.details["replaced"] is True and replaced.details["grants_dropped"] == 1


def test_changing_the_password_rewraps_and_records(make_member) -> None:
    user = make_member("ivy")
    vault.change_password_key(user, PASSWORD, "a brand new password 2")
    rewrapped = only(Action.PERSONAL_KEY_REWRAPPED)
    assert rewrapped.actor == str(user.pk) and is_about(rewrapped, user)
    assert rewrapped.details["reason"] == "password_changed"


def test_a_wrong_old_password_records_nothing(make_member) -> None:
    user = make_member("ivy")
    with pytest.raises(vault.WrongPassword):
        vault.change_password_key(user, "not the password", "a brand new password 2")
    assert not entries(Action.PERSONAL_KEY_REWRAPPED)


def test_raising_the_argon2_parameters_at_unlock_is_recorded(make_member) -> None:
    user = make_member("ivy")
    vault.unlock(user, PASSWORD)
    assert not entries(Action.PERSONAL_KEY_REWRAPPED)  # current parameters: nothing to do
    with override_settings(VAULT_ARGON2_MEMORY_KIB=128, VAULT_ARGON2_ITERATIONS=2):
        vault.unlock(user, PASSWORD)
        vault.unlock(user, PASSWORD)  # already raised: no second entry
    rewrapped = only(Action.PERSONAL_KEY_REWRAPPED)
    assert rewrapped.actor == str(user.pk) and is_about(rewrapped, user)
    assert rewrapped.details["reason"] == "argon2_params_raised"
    assert rewrapped.details["argon2_memory_kib"] == 128


def test_a_resumed_rotation_records_the_recovery_key_with_its_finish(
    investigator, triage, recovery
) -> None:
    vault.encrypt_record(("tips.tip", 7), {"d": b"x"}, desks=[triage])
    start_rotation(triage, vault.unlock(investigator, PASSWORD))  # then "interrupted"
    report = vault.rotate_desk_key(triage, recovery)
    assert not report.started and report.rewrapped == 1
    started, finished = entries(Action.DESK_KEY_ROTATED)
    assert started.actor == str(investigator.pk) and finished.actor == "system"
    last_use = entries(Action.RECOVERY_KEY_USED)[-1]
    assert last_use.details == {"purpose": "rotate_desk_key"}
    assert started.seq < last_use.seq < finished.seq


# --- Same transaction ---------------------------------------------------------------------------


def test_a_failure_after_the_entry_rolls_the_entry_back_with_the_change(tmp_path) -> None:
    # vault_init writes the key file inside the transaction that initialises and records:
    # when the file cannot be written, neither the vault nor its audit entries remain.
    existing = tmp_path / "old-key"
    existing.write_text("another vault's key")
    with pytest.raises(CommandError, match="already exists"):
        run("vault_init", recovery_key_out=str(existing))
    assert not vault.is_initialized()
    assert not entries(Action.VAULT_INITIALIZED) and not entries(Action.DESK_CREATED)


def test_an_outer_rollback_takes_the_grant_and_its_entries(make_member, triage, recovery_key):
    user = make_member("ivy")
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        vault.grant_desk_with_recovery(triage, user, recovery_key)
        assert len(entries(Action.DESK_GRANTED)) == 1
        raise RuntimeError("the caller's transaction fails later")
    assert not DeskGrant.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_failing_audit_write_undoes_the_change(make_member, triage, recovery_key, monkeypatch):
    user = make_member("ivy")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("portal.vault.desks.record", broken)
    with pytest.raises(RuntimeError, match="audit unavailable"):
        vault.grant_desk_with_recovery(triage, user, recovery_key)
    assert not DeskGrant.objects.exists()
    with pytest.raises(RuntimeError, match="audit unavailable"):
        vault.create_organization_desk(
            Organization.objects.create(slug="clinic", name="Clinic", services=["medical"])
        )
    assert not Desk.objects.filter(slug="clinic").exists()


def test_a_personal_key_is_not_replaced_without_its_entry(make_member, monkeypatch) -> None:
    user = make_member("ivy")
    public = bytes(PersonalKey.objects.get(user=user).public_key)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("portal.vault.personal.record", broken)
    with pytest.raises(RuntimeError):
        vault.create_personal_key(user, "another password 4")
    assert bytes(PersonalKey.objects.get(user=user).public_key) == public
