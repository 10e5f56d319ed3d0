import pytest

from portal import vault
from portal.vault.models import WrappedKey
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db
TIP = ("tips.tip", 41)


def test_it_writes_with_public_keys_only(triage) -> None:
    ciphertexts = vault.encrypt_record(TIP, {"description": b"two girls, motel 6"}, desks=[triage])
    wrap = WrappedKey.objects.get(record_type="tips.tip", record_id="41")
    assert (wrap.desk, wrap.key_version) == (triage, 1)
    assert b"motel" not in ciphertexts["description"]


def test_it_reads_for_a_desk_member_and_the_recovery_key(triage, investigator, recovery) -> None:
    ciphertexts = vault.encrypt_record(TIP, {"description": b"details"}, desks=[triage])
    for reader in (vault.unlock(investigator, PASSWORD), recovery):
        assert vault.decrypt_record(TIP, ciphertexts, reader) == {"description": b"details"}


def test_it_refuses_a_member_of_another_desk(triage, liaison) -> None:
    ciphertexts = vault.encrypt_record(TIP, {"description": b"details"}, desks=[triage])
    with pytest.raises(vault.NoDeskAccess):
        vault.decrypt_record(TIP, ciphertexts, vault.unlock(liaison, PASSWORD))


def test_it_binds_the_fields_to_the_record(triage, investigator) -> None:
    unlocked = vault.unlock(investigator, PASSWORD)
    first = vault.encrypt_record(TIP, {"description": b"first"}, desks=[triage])
    vault.encrypt_record(("tips.tip", 42), {"description": b"second"}, desks=[triage])
    with pytest.raises(vault.DecryptionFailed):  # ciphertext pasted into tip 42
        vault.decrypt_record(("tips.tip", 42), first, unlocked)
    with pytest.raises(vault.DecryptionFailed):  # ciphertext pasted into another column
        vault.decrypt_record(TIP, {"location": first["description"]}, unlocked)


def test_it_refuses_a_wrapped_key_moved_to_another_record(triage, investigator) -> None:
    vault.encrypt_record(TIP, {"description": b"first"}, desks=[triage])
    vault.encrypt_record(("tips.tip", 42), {"description": b"second"}, desks=[triage])
    moved = WrappedKey.objects.get(record_id="41").wrapped_key
    WrappedKey.objects.filter(record_id="42").update(wrapped_key=moved)
    with pytest.raises(vault.DecryptionFailed):
        vault.open_record_key(("tips.tip", 42), vault.unlock(investigator, PASSWORD))


def test_it_names_model_instances_by_label_and_pk(triage, investigator) -> None:
    record = investigator  # any saved model instance will do
    key = vault.new_record_key(record, desks=[triage])
    assert (key.record_type, key.record_id) == ("portal.user", str(investigator.pk))
    sealed = key.encrypt("note", b"x")
    assert vault.open_record_key(record, vault.unlock(investigator, PASSWORD)).decrypt(
        "note", sealed
    )


def test_it_streams_attachments_under_the_record_key(triage, investigator) -> None:
    import io

    key = vault.new_record_key(TIP, desks=[triage])
    sealed = io.BytesIO()
    key.encrypt_stream("attachment:1", io.BytesIO(b"%PDF-1.7 ..."), sealed)
    opened = vault.open_record_key(TIP, vault.unlock(investigator, PASSWORD))
    plain = io.BytesIO()
    opened.decrypt_stream("attachment:1", io.BytesIO(sealed.getvalue()), plain)
    assert plain.getvalue() == b"%PDF-1.7 ..."
    with pytest.raises(vault.DecryptionFailed):
        opened.decrypt_stream("attachment:2", io.BytesIO(sealed.getvalue()), io.BytesIO())


def test_it_needs_a_reader_and_a_saved_record(db) -> None:
    from portal.models import User

    with pytest.raises(ValueError, match="reader"):
        vault.new_record_key(TIP, desks=[])
    with pytest.raises(ValueError, match="save"):
        vault.new_record_key(User(username="unsaved"), desks=[])


def test_it_opens_many_records_with_one_query(
    triage, org_desk, investigator, django_assert_max_num_queries
) -> None:
    for i in range(5):
        vault.encrypt_record(("tips.tip", i), {"d": b"x"}, desks=[triage])
    vault.encrypt_record(("triage.handoff", 1), {"d": b"x"}, desks=[org_desk])
    vault.shred(("tips.tip", 4))
    unlocked = vault.unlock(investigator, PASSWORD)
    assert unlocked.has_desk(triage) and not unlocked.has_desk(org_desk)  # once per request
    wanted = [("tips.tip", i) for i in range(5)] + [("triage.handoff", 1)]
    with django_assert_max_num_queries(1):
        opened = vault.open_record_keys(wanted, unlocked)
    assert sorted(opened) == [("tips.tip", str(i)) for i in range(4)]
