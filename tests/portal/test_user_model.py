import pytest
from django.db import IntegrityError

from partners.models import Organization
from portal.models import User
from portal.roles import Role, role_may

pytestmark = pytest.mark.django_db


def test_it_requires_an_organization_for_a_liaison() -> None:
    with pytest.raises(IntegrityError):
        User.objects.create(username="lia", role=Role.LIAISON)


def test_it_refuses_an_organization_for_task_force_staff() -> None:
    org = Organization.objects.create(slug="dropin", name="Drop-in Center")
    with pytest.raises(IntegrityError):
        User.objects.create(username="inv", role=Role.INVESTIGATOR, organization=org)


def test_it_refuses_an_unknown_role() -> None:
    with pytest.raises(IntegrityError):
        User.objects.create(username="x", role="superhero")


def test_it_links_a_liaison_to_the_organization() -> None:
    org = Organization.objects.create(slug="dropin", name="Drop-in Center")
    liaison = User.objects.create(username="lia", role=Role.LIAISON, organization=org)
    assert list(org.members.all()) == [liaison]


def test_it_keeps_tip_content_away_from_admins() -> None:
    assert not role_may(Role.ADMIN, "triage.view_tip")
    assert not role_may(Role.ADMIN, "handoffs.view")
    assert role_may(Role.ADMIN, "accounts.manage")


def test_it_grants_supervisors_everything_investigators_may() -> None:
    for capability in ("triage.view_tip", "triage.claim", "triage.note"):
        assert role_may(Role.SUPERVISOR, capability)
    assert role_may(Role.SUPERVISOR, "audit.view")
    assert not role_may(Role.INVESTIGATOR, "audit.view")


def test_it_refuses_an_unknown_capability() -> None:
    with pytest.raises(ValueError, match="unknown capability"):
        role_may(Role.ADMIN, "triage.fly")
