import math
import re

import pytest

from portal import vault
from portal.vault import tipster
from portal.vault.models import WrappedKey
from tests.vault.members import PASSWORD

GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$")


def test_it_makes_receipts_of_100_bits_in_groups() -> None:
    receipts = {tipster.new_receipt() for _ in range(200)}
    assert len(receipts) == 200
    assert all(GROUPED.match(r) for r in receipts)
    assert tipster.RECEIPT_SYMBOLS * math.log2(len(tipster.ALPHABET)) == 100
    assert not set("ILOU") & set("".join(receipts))


@pytest.mark.parametrize(
    "typed",
    [
        "ABCDE-FGHJK-MNPQR-STVWX",
        "abcde-fghjk-mnpqr-stvwx",
        "ABCDEFGHJKMNPQRSTVWX",
        " abcde fghjk  mnpqr stvwx ",
        "abcde.fghjk_mnpqr-stvwx",
    ],
)
def test_it_accepts_sloppy_typing(typed: str) -> None:
    assert tipster.normalize_receipt(typed) == "ABCDEFGHJKMNPQRSTVWX"


def test_it_maps_letters_people_confuse_with_digits() -> None:
    assert tipster.normalize_receipt("O0I1L-22222-33333-44444") == "00111222223333344444"


@pytest.mark.parametrize(
    "typed", ["", "ABCDE-FGHJK-MNPQR", "ABCDE-FGHJK-MNPQR-STVWXY", "UUUUU-22222-33333-44444"]
)
def test_it_refuses_malformed_receipts(typed: str) -> None:
    with pytest.raises(vault.InvalidReceipt):
        tipster.normalize_receipt(typed)


def test_it_derives_a_lookup_that_depends_on_the_server_key(settings) -> None:
    receipt = tipster.new_receipt()
    lookup = tipster.receipt_lookup(receipt)
    assert len(lookup) == 32
    assert tipster.receipt_lookup(receipt.lower().replace("-", "")) == lookup
    assert tipster.receipt_lookup(tipster.new_receipt()) != lookup
    settings.VAULT_RECEIPT_KEY = "another server key"
    assert tipster.receipt_lookup(receipt) != lookup


def test_it_derives_the_same_keypair_from_the_same_receipt() -> None:
    receipt = tipster.new_receipt()
    first, again = tipster.tipster_keypair(receipt), tipster.tipster_keypair(receipt.lower())
    assert first.public_bytes() == again.public_bytes()
    assert tipster.tipster_keypair(tipster.new_receipt()).public_bytes() != first.public_bytes()
    assert first.private_bytes() != tipster.receipt_lookup(receipt)


@pytest.mark.django_db
def test_it_lets_the_tipster_read_replies_and_nothing_else(triage, investigator) -> None:
    receipt = tipster.new_receipt()
    tipster_key = tipster.tipster_keypair(receipt)
    # Submission: the tip itself is wrapped to the desk only (internal notes stay internal).
    tip = vault.encrypt_record(("tips.tip", 5), {"description": b"what I saw"}, desks=[triage])
    reply = vault.encrypt_record(
        ("triage.message", 1),
        {"body": b"thank you, can you say more?"},
        desks=[triage],
        tipster_public_key=tipster_key.public_bytes(),
    )
    assert vault.decrypt_record(("triage.message", 1), reply, tipster_key)["body"].startswith(
        b"thank"
    )
    unlocked = vault.unlock(investigator, PASSWORD)
    assert vault.decrypt_record(("triage.message", 1), reply, unlocked)["body"].startswith(b"thank")
    with pytest.raises(vault.NoDeskAccess):
        vault.decrypt_record(("tips.tip", 5), tip, tipster_key)
    with pytest.raises(vault.NoDeskAccess):  # another tipster's receipt
        vault.decrypt_record(
            ("triage.message", 1), reply, tipster.tipster_keypair(tipster.new_receipt())
        )
    assert WrappedKey.objects.filter(record_type="triage.message", desk=None).count() == 1
