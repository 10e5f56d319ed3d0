import pytest

from portal import vault
from portal.vault import keys
from portal.vault.models import Desk, DeskGrant, RecoveryWrap
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_creates_the_triage_desk_with_only_public_and_wrapped_keys(triage, recovery_key):
    assert triage.slug == "triage" and triage.key_version == 1 and triage.organization is None
    wrap = RecoveryWrap.objects.get(desk=triage)
    desk_key = vault.RecoveryKeyring(recovery_key).desk_private_key(triage)
    assert desk_key.public_bytes() == bytes(triage.public_key)
    assert desk_key.private_bytes() not in bytes(wrap.wrapped_private_key)


def test_it_refuses_to_initialise_twice(recovery_key) -> None:
    with pytest.raises(vault.AlreadyInitialized):
        vault.initialize()
    assert Desk.objects.count() == 1


def test_it_gives_each_organization_its_own_desk(org_desk, triage, recovery_key) -> None:
    assert org_desk.organization.slug == "drop-in"
    keyring = vault.RecoveryKeyring(recovery_key)
    assert keyring.desk_private_key(org_desk).public_bytes() == bytes(org_desk.public_key)
    assert bytes(org_desk.public_key) != bytes(triage.public_key)


def test_it_grants_with_the_recovery_key(investigator, triage) -> None:
    unlocked = vault.unlock(investigator, PASSWORD)
    assert unlocked.desk_private_key(triage).public_bytes() == bytes(triage.public_key)
    assert vault.holds_desk(investigator, triage)


def test_it_lets_a_supervisor_grant_from_the_session(make_member, investigator, triage) -> None:
    supervisor = make_member("sam", role="supervisor")
    vault.grant_desk_from_session(triage, supervisor, vault.unlock(investigator, PASSWORD))
    assert vault.unlock(supervisor, PASSWORD).has_desk(triage)


def test_it_cannot_grant_a_desk_the_granter_does_not_hold(make_member, investigator, org_desk):
    other = make_member("lee", role="liaison", org=org_desk)
    with pytest.raises(vault.NoDeskAccess):
        vault.grant_desk_from_session(org_desk, other, vault.unlock(investigator, PASSWORD))
    assert not DeskGrant.objects.filter(user=other).exists()


def test_it_keeps_desks_apart(investigator, liaison, triage, org_desk) -> None:
    with pytest.raises(vault.NoDeskAccess):
        vault.unlock(liaison, PASSWORD).desk_private_key(triage)
    with pytest.raises(vault.NoDeskAccess):
        vault.unlock(investigator, PASSWORD).desk_private_key(org_desk)


@pytest.mark.parametrize(
    "case",
    [("admin", "triage"), ("liaison", "triage"), ("investigator", "drop-in"), ("admin", "drop-in")],
)
def test_it_refuses_roles_that_may_not_hold_the_desk(
    make_member, org_desk, make_org_desk, recovery_key, case: tuple[str, str]
) -> None:
    role, slug = case
    user = make_member("x", role=role, org=make_org_desk("other") if role == "liaison" else None)
    with pytest.raises(vault.NotEligible):
        vault.grant_desk_with_recovery(vault.get_desk(slug), user, recovery_key)


def test_it_refuses_a_liaison_of_another_organization(make_member, make_org_desk, recovery_key):
    desk_a, desk_b = make_org_desk("org-a"), make_org_desk("org-b")
    liaison_b = make_member("lee", role="liaison", org=desk_b)
    with pytest.raises(vault.NotEligible):
        vault.grant_desk_with_recovery(desk_a, liaison_b, recovery_key)


def test_it_revokes(investigator, triage) -> None:
    assert vault.revoke_desk(triage, investigator) == 1
    with pytest.raises(vault.NoDeskAccess):
        vault.unlock(investigator, PASSWORD).desk_private_key(triage)
    assert vault.revoke_desk(triage, investigator) == 0


def test_it_refuses_a_grant_copied_to_another_member(make_member, investigator, triage) -> None:
    other = make_member("oscar")
    grant = DeskGrant.objects.get(user=investigator)
    DeskGrant.objects.create(
        desk=triage, user=other, key_version=1, wrapped_private_key=grant.wrapped_private_key
    )
    with pytest.raises(vault.NoDeskAccess):
        vault.unlock(other, PASSWORD).desk_private_key(triage)


def test_it_refuses_a_wrap_opened_for_the_wrong_desk_or_version(triage, org_desk, recovery_key):
    keyring = vault.RecoveryKeyring(recovery_key)
    wrap = RecoveryWrap.objects.get(desk=triage)
    desk_key = keyring.desk_private_key(triage)
    secret = b"k" * 32
    wrapped = keys.wrap(secret, bytes(triage.public_key), b"tip-portal/v1/desk:triage/key:1/x")
    assert keys.unwrap(wrapped, desk_key, b"tip-portal/v1/desk:triage/key:1/x") == secret
    for info in (b"tip-portal/v1/desk:drop-in/key:1/x", b"tip-portal/v1/desk:triage/key:2/x"):
        with pytest.raises(vault.DecryptionFailed):
            keys.unwrap(wrapped, desk_key, info)
    with pytest.raises(vault.DecryptionFailed):
        keys.unwrap(
            wrapped, keyring.desk_private_key(org_desk), b"tip-portal/v1/desk:triage/key:1/x"
        )
    assert wrap.recovery_version == 1


def test_it_refuses_another_vaults_recovery_key(recovery_key) -> None:
    with pytest.raises(vault.WrongRecoveryKey):
        vault.RecoveryKeyring(keys.PrivateKey.generate())


def test_it_formats_the_recovery_key_for_paper(recovery_key) -> None:
    text = keys.format_recovery_key(recovery_key)
    assert text.startswith("TPRK1-")
    sloppy = text.lower().replace("-", " ")
    assert keys.parse_recovery_key(sloppy).public_bytes() == recovery_key.public_bytes()
    typo = text[:-1] + ("A" if text[-1] != "A" else "B")
    with pytest.raises(vault.WrongRecoveryKey):
        keys.parse_recovery_key(typo)


def test_it_stores_no_private_key_anywhere(investigator, liaison, org_desk, recovery, recovery_key):
    from django.apps import apps

    triage = vault.triage_desk()
    seeds = [
        recovery.desk_private_key(triage).private_bytes(),
        recovery.desk_private_key(org_desk).private_bytes(),
        vault.unlock(investigator, PASSWORD).personal_key.private_bytes(),
        vault.unlock(liaison, PASSWORD).personal_key.private_bytes(),
        recovery_key.private_bytes(),
    ]
    stored = b"".join(
        bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        for model in apps.get_app_config("portal").get_models()
        for row in model.objects.values_list()
        for value in row
    )
    assert len(stored) > 10_000  # the sweep saw the wrapped keys
    for seed in seeds:
        assert seed not in stored
        assert seed.hex().encode() not in stored


def test_it_finds_a_desk_after_its_organization_is_renamed(org_desk) -> None:
    org_desk.organization.slug = "drop-in-center"
    org_desk.organization.save(update_fields=["slug"])
    assert vault.get_desk("drop-in-center") == org_desk == vault.get_desk("drop-in")
    with pytest.raises(vault.UnknownDesk):
        vault.get_desk("nowhere")
