import pytest

from portal import vault
from portal.vault import tipster
from portal.vault.models import WrappedKey
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db
TIP = ("tips.tip", 9)
MESSAGE = ("triage.message", 3)


def test_it_makes_content_unreadable_for_every_reader(triage, investigator, recovery) -> None:
    receipt = tipster.new_receipt()
    tipster_key = tipster.tipster_keypair(receipt)
    tip = vault.encrypt_record(TIP, {"description": b"names and places"}, desks=[triage])
    message = vault.encrypt_record(
        MESSAGE,
        {"body": b"can you call?"},
        desks=[triage],
        tipster_public_key=tipster_key.public_bytes(),
    )
    unlocked = vault.unlock(investigator, PASSWORD)
    assert vault.decrypt_record(TIP, tip, recovery)  # readable before
    assert vault.decrypt_record(MESSAGE, message, tipster_key)

    assert vault.shred(TIP) == 1
    assert vault.shred(MESSAGE) == 2

    for reader in (unlocked, recovery):
        with pytest.raises(vault.Shredded):
            vault.decrypt_record(TIP, tip, reader)
        with pytest.raises(vault.Shredded):
            vault.decrypt_record(MESSAGE, message, reader)
    with pytest.raises(vault.Shredded):
        vault.decrypt_record(MESSAGE, message, tipster.tipster_keypair(receipt))
    assert not WrappedKey.objects.filter(record_type__in=["tips.tip", "triage.message"]).exists()


def test_it_leaves_other_records_alone(triage, recovery) -> None:
    kept = vault.encrypt_record(("tips.tip", 10), {"description": b"keep"}, desks=[triage])
    vault.encrypt_record(TIP, {"description": b"purge"}, desks=[triage])
    vault.shred(TIP)
    assert vault.decrypt_record(("tips.tip", 10), kept, recovery) == {"description": b"keep"}


def test_it_is_a_noop_the_second_time(triage) -> None:
    vault.encrypt_record(TIP, {"description": b"x"}, desks=[triage])
    assert vault.shred(TIP) == 1
    assert vault.shred(TIP) == 0
