import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_lets_a_verified_admin_in(staff_client, admin_user) -> None:
    assert staff_client(admin_user).get("/django-admin/").status_code == 200


def sent_to_staff_sign_in(client: Client) -> bool:
    """The admin's own login page only forwards to the staff sign-in (password + TOTP)."""
    response = client.get("/django-admin/")
    if response.status_code != 302:
        return False
    response = client.get(response["Location"])
    return response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_it_sends_an_admin_without_the_second_factor_to_sign_in(admin_user) -> None:
    client = Client()
    client.force_login(admin_user)
    assert sent_to_staff_sign_in(client)


@pytest.mark.parametrize("persona", ["investigator", "supervisor", "liaison_a"])
def test_it_keeps_other_roles_out(request, staff_client, persona) -> None:
    user = request.getfixturevalue(persona)
    assert sent_to_staff_sign_in(staff_client(user))


def test_it_offers_no_tip_content(staff_client, admin_user) -> None:
    from portal.accounts.admin import site

    registered = {model._meta.label for model in site._registry}
    assert registered == {"portal.User", "partners.Organization"}
    page = staff_client(admin_user).get("/django-admin/").content.decode()
    assert "tips" not in page.lower()


def test_it_adds_a_partner_organization_with_its_desk_key(staff_client, admin_user) -> None:
    from audit import Action
    from audit.models import AuditEvent
    from partners.models import Organization
    from portal import vault

    vault.initialize()
    client = staff_client(admin_user)
    response = client.post(
        "/django-admin/partners/organization/add/",
        {
            "slug": "legal-aid",
            "name": "Legal Aid KC",
            "hours": "Mon-Fri 9-5",
            "services": ["legal", "language_access"],
        },
    )

    assert response.status_code == 302, response.content[:500]
    organization = Organization.objects.get(slug="legal-aid")
    assert organization.services == ["legal", "language_access"]
    assert vault.get_desk("legal-aid").organization == organization
    assert AuditEvent.objects.filter(action=Action.ORGANIZATION_CREATED).count() == 1


def test_it_refuses_the_triage_slug_and_keeps_the_slug_fixed(staff_client, admin_user) -> None:
    from portal import vault

    vault.initialize()
    client = staff_client(admin_user)

    response = client.post(
        "/django-admin/partners/organization/add/",
        {"slug": "triage", "name": "Fake", "services": ["legal"]},
    )

    assert response.status_code == 200
    assert "task force" in response.content.decode()


def test_it_lists_each_organizations_on_call_liaisons(staff_client, admin_user, liaison_a):
    liaison_a.on_call = True
    liaison_a.save(update_fields=["on_call"])

    page = staff_client(admin_user).get("/django-admin/partners/organization/").content.decode()

    assert liaison_a.username in page
