import pytest

from portal import vault
from portal.vault import rotation
from portal.vault.models import DeskGrant, RecoveryWrap, WrappedKey
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db


def write_tips(desk, count: int) -> dict[tuple[str, int], dict[str, bytes]]:
    return {
        ("tips.tip", i): vault.encrypt_record(
            ("tips.tip", i), {"d": f"tip {i}".encode()}, desks=[desk]
        )
        for i in range(count)
    }


def test_it_rotates_and_keeps_everything_readable(triage, investigator, recovery) -> None:
    tips = write_tips(triage, 7)
    report = vault.rotate_desk_key(triage, recovery, batch_size=3)
    assert (report.version, report.started, report.rewrapped, report.regranted) == (2, True, 7, 1)
    assert report.retired_versions == [1]
    triage.refresh_from_db()
    assert triage.key_version == 2
    assert set(WrappedKey.objects.values_list("key_version", flat=True)) == {2}
    unlocked = vault.unlock(investigator, PASSWORD)
    for record, ciphertexts in tips.items():
        assert (
            vault.decrypt_record(record, ciphertexts, unlocked)["d"] == f"tip {record[1]}".encode()
        )
    assert list(
        DeskGrant.objects.filter(user=investigator).values_list("key_version", flat=True)
    ) == [2]
    assert set(RecoveryWrap.objects.filter(desk=triage).values_list("key_version", flat=True)) == {
        1,
        2,
    }


def test_it_serves_old_and_new_versions_during_the_rotation(triage, investigator, recovery) -> None:
    tips = write_tips(triage, 4)
    rotation.start_rotation(triage, recovery)
    rotation.rewrap_batch(triage, recovery, batch_size=2)  # half done
    new_tip = vault.encrypt_record(("tips.tip", 99), {"d": b"new"}, desks=[triage])
    assert WrappedKey.objects.get(record_id="99").key_version == 2
    assert sorted(WrappedKey.objects.values_list("key_version", flat=True)) == [1, 1, 2, 2, 2]
    unlocked = vault.unlock(investigator, PASSWORD)
    for record, ciphertexts in tips.items():
        assert vault.decrypt_record(record, ciphertexts, unlocked)
    assert vault.decrypt_record(("tips.tip", 99), new_tip, unlocked) == {"d": b"new"}


def test_it_resumes_an_interrupted_rotation(triage, recovery) -> None:
    write_tips(triage, 5)
    rotation.start_rotation(triage, recovery)
    rotation.rewrap_batch(triage, recovery, batch_size=2)
    report = vault.rotate_desk_key(triage, recovery, batch_size=2)
    assert (report.started, report.version, report.rewrapped) == (False, 2, 3)


def test_it_rotates_with_a_members_unlocked_key(triage, investigator, make_member, recovery_key):
    other = make_member("oscar")
    vault.grant_desk_with_recovery(triage, other, recovery_key)
    tips = write_tips(triage, 3)
    report = vault.rotate_desk_key(triage, vault.unlock(investigator, PASSWORD))
    assert (report.version, report.regranted) == (2, 2)
    for record, ciphertexts in tips.items():
        assert vault.decrypt_record(record, ciphertexts, vault.unlock(other, PASSWORD))


def test_it_leaves_revoked_members_out_of_the_new_version(
    triage, investigator, make_member, recovery, recovery_key
) -> None:
    leaver = make_member("oscar")
    vault.grant_desk_with_recovery(triage, leaver, recovery_key)
    tips = write_tips(triage, 2)
    vault.revoke_desk(triage, leaver)
    vault.rotate_desk_key(triage, recovery)
    assert not DeskGrant.objects.filter(user=leaver).exists()
    record, ciphertexts = next(iter(tips.items()))
    with pytest.raises(vault.NoDeskAccess):
        vault.decrypt_record(record, ciphertexts, vault.unlock(leaver, PASSWORD))


def test_it_refuses_a_keyring_that_cannot_open_the_current_version(triage, org_desk, liaison):
    with pytest.raises(vault.NoDeskAccess):
        vault.rotate_desk_key(triage, vault.unlock(liaison, PASSWORD))
    triage.refresh_from_db()
    assert triage.key_version == 1


def test_it_grants_newcomers_every_live_version_mid_rotation(
    triage, make_member, recovery, recovery_key
) -> None:
    tips = write_tips(triage, 2)
    rotation.start_rotation(triage, recovery)
    newcomer = make_member("nina")
    vault.grant_desk_with_recovery(triage, newcomer, recovery_key)
    versions = sorted(DeskGrant.objects.filter(user=newcomer).values_list("key_version", flat=True))
    assert versions == [1, 2]
    record, ciphertexts = next(iter(tips.items()))
    assert vault.decrypt_record(record, ciphertexts, vault.unlock(newcomer, PASSWORD))
