import pytest
from django.test import override_settings

from portal import vault
from portal.vault import passwords
from portal.vault.models import PersonalKey
from tests.vault.members import PASSWORD


def test_it_defaults_to_64_mib_three_passes_four_lanes_in_production() -> None:
    from portal import settings as production_settings

    assert production_settings.VAULT_ARGON2_MEMORY_KIB == 64 * 1024
    assert production_settings.VAULT_ARGON2_ITERATIONS == 3
    assert production_settings.VAULT_ARGON2_LANES == 4


@pytest.mark.django_db
def test_it_stores_the_parameters_with_each_key(make_member, settings) -> None:
    row = PersonalKey.objects.get(user=make_member("ivy"))
    assert (row.argon2_memory_kib, row.argon2_iterations, row.argon2_lanes) == (
        settings.VAULT_ARGON2_MEMORY_KIB,
        settings.VAULT_ARGON2_ITERATIONS,
        settings.VAULT_ARGON2_LANES,
    )
    assert len(bytes(row.salt)) == passwords.SALT_BYTES


@pytest.mark.django_db
def test_it_raises_old_parameters_at_the_next_unlock(make_member) -> None:
    user = make_member("ivy")
    old_salt = bytes(PersonalKey.objects.get(user=user).salt)
    with override_settings(VAULT_ARGON2_MEMORY_KIB=128, VAULT_ARGON2_ITERATIONS=2):
        public = vault.unlock(user, PASSWORD).personal_key.public_bytes()
        row = PersonalKey.objects.get(user=user)
        assert (row.argon2_memory_kib, row.argon2_iterations) == (128, 2)
        assert bytes(row.salt) != old_salt
        assert vault.unlock(user, PASSWORD).personal_key.public_bytes() == public


def test_it_peppers_the_derived_key(settings) -> None:
    params = passwords.Argon2Params(memory_kib=64, iterations=1, lanes=1)
    salt = b"s" * 16
    first = passwords.derive_kek(PASSWORD, salt, params)
    settings.VAULT_PASSWORD_PEPPER = "another pepper"
    assert passwords.derive_kek(PASSWORD, salt, params) != first
