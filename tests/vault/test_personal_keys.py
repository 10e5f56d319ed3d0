import pickle

import pytest

from portal import vault
from portal.vault.models import DeskGrant, PersonalKey
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_unlocks_with_the_password(make_member) -> None:
    user = make_member("ivy")
    unlocked = vault.unlock(user, PASSWORD)
    row = PersonalKey.objects.get(user=user)
    assert unlocked.user == user
    assert unlocked.personal_key.public_bytes() == bytes(row.public_key)


def test_it_stores_no_private_key_in_the_clear(make_member) -> None:
    user = make_member("ivy")
    seed = vault.unlock(user, PASSWORD).personal_key.private_bytes()
    row = PersonalKey.objects.get(user=user)
    assert seed not in bytes(row.encrypted_private_key)
    assert PASSWORD.encode() not in bytes(row.encrypted_private_key) + bytes(row.salt)


@pytest.mark.parametrize("wrong", ["", "vault test password 2", PASSWORD.upper(), PASSWORD + " "])
def test_it_never_yields_a_key_for_a_wrong_password(make_member, wrong: str) -> None:
    user = make_member("ivy")
    with pytest.raises(vault.WrongPassword) as caught:
        vault.unlock(user, wrong)
    assert "password does not unlock" in str(caught.value)


def test_it_refuses_a_row_moved_to_another_account(make_member) -> None:
    ivy, oscar = make_member("ivy"), make_member("oscar")
    ivy_row = PersonalKey.objects.get(user=ivy)
    PersonalKey.objects.filter(user=oscar).update(
        public_key=ivy_row.public_key,
        encrypted_private_key=ivy_row.encrypted_private_key,
        salt=ivy_row.salt,
    )
    with pytest.raises(vault.WrongPassword):
        vault.unlock(oscar, PASSWORD)  # same password, but the sealed key names ivy


def test_it_refuses_lowered_cost_parameters(make_member) -> None:
    user = make_member("ivy")
    PersonalKey.objects.filter(user=user).update(argon2_iterations=2)
    with pytest.raises(vault.WrongPassword):
        vault.unlock(user, PASSWORD)


def test_it_changes_the_password_and_keeps_the_keypair(make_member, triage, recovery_key) -> None:
    user = make_member("ivy")
    vault.grant_desk_with_recovery(triage, user, recovery_key)
    before = PersonalKey.objects.get(user=user)
    vault.change_password_key(user, PASSWORD, "a brand new password 2")
    after = PersonalKey.objects.get(user=user)
    assert bytes(after.public_key) == bytes(before.public_key)
    assert bytes(after.salt) != bytes(before.salt)
    with pytest.raises(vault.WrongPassword):
        vault.unlock(user, PASSWORD)
    assert vault.unlock(user, "a brand new password 2").has_desk(triage)


def test_it_refuses_a_password_change_with_the_wrong_old_password(make_member) -> None:
    user = make_member("ivy")
    with pytest.raises(vault.WrongPassword):
        vault.change_password_key(user, "not it", "a brand new password 2")
    assert vault.unlock(user, PASSWORD)


def test_it_replaces_the_key_and_drops_grants_it_cannot_open(make_member, triage, recovery_key):
    user = make_member("ivy")
    vault.grant_desk_with_recovery(triage, user, recovery_key)
    old_public = bytes(PersonalKey.objects.get(user=user).public_key)
    vault.create_personal_key(user, "after a forgotten password 3")
    assert bytes(PersonalKey.objects.get(user=user).public_key) != old_public
    assert not DeskGrant.objects.filter(user=user).exists()
    assert not vault.unlock(user, "after a forgotten password 3").has_desk(triage)


def test_it_refuses_an_account_without_a_key(db) -> None:
    from portal.models import User

    user = User.objects.create_user("nokey", password=PASSWORD, role="investigator")
    with pytest.raises(vault.WrongPassword):  # NoPersonalKey is a WrongPassword
        vault.unlock(user, PASSWORD)


def test_it_never_shows_or_pickles_key_material(make_member) -> None:
    unlocked = vault.unlock(make_member("ivy"), PASSWORD)
    seed = unlocked.personal_key.private_bytes()
    for text in (repr(unlocked), repr(unlocked.personal_key), str(unlocked.personal_key)):
        assert seed.hex() not in text
        assert repr(seed)[2:-1] not in text
    for obj in (unlocked, unlocked.personal_key):
        with pytest.raises(TypeError):
            pickle.dumps(obj)


def test_it_keeps_passwords_and_keys_out_of_error_reports(make_member, monkeypatch) -> None:
    import sys

    from django.views.debug import ExceptionReporter

    user = make_member("ivy")

    def broken_kdf(**_: object) -> None:
        raise RuntimeError("argon2 backend failed")

    monkeypatch.setattr("portal.vault.passwords.Argon2id", broken_kdf)
    try:
        vault.unlock(user, PASSWORD)
    except RuntimeError:
        reporter = ExceptionReporter(None, *sys.exc_info())
    frames = {frame["function"]: dict(frame["vars"]) for frame in reporter.get_traceback_frames()}
    assert "password" in frames["unlock"] and "password" in frames["derive_kek"]
    assert PASSWORD not in reporter.get_traceback_html()  # the 500 page and error e-mails
