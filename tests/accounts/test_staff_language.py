"""Staff pages in the member's own language; the public pages exactly as before.

The pages are rendered from the compiled catalog (`manage.py compile_translations`, run by
`make test`).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from audit import Action
from audit.models import AuditEvent
from portal.accounts import actions
from portal.outcomes import Invalid, NotYours
from tests.readers import fresh
from tests.staff import login_verified

pytestmark = pytest.mark.django_db

STALE = "is the .mo stale? run `manage.py compile_translations`"
SPANISH_NAV = [">Inicio</a>", ">Cola</a>", "Cerrar sesión", 'aria-label="Personal"']
ENGLISH_NAV = [">Home</a>", ">Queue</a>", "Sign out"]


def _client(user, language: str | None = None) -> Client:
    if language is not None:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    login_verified(client, user)
    return client


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _has_all(body: str, texts: list[str]) -> None:
    missing = [text for text in texts if text not in body]
    assert not missing, f"{missing} ({STALE})"


def _has_none(body: str, texts: list[str]) -> None:
    present = [text for text in texts if text in body]
    assert not present, present


# --- The preference -----------------------------------------------------------------------------


def test_the_home_page_offers_the_three_choices(investigator) -> None:
    body = _body(_client(investigator).get("/staff/"))

    _has_all(body, ["Language of the staff pages", 'value="en"', 'value="es"', "The browser"])
    assert 'lang="es"' in body and "Español" in body  # each named in its own language
    assert 'value="" id="id_language_2" checked' in body  # blank until chosen


def test_a_member_picks_spanish_and_it_is_saved_and_audited(investigator) -> None:
    client = _client(investigator)

    response = client.post("/staff/language/", {"language": "es"})

    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert fresh(investigator).language == "es"
    [event] = AuditEvent.objects.filter(action=Action.ACCOUNT_UPDATED)
    assert event.details == {"field": "language"}
    assert (event.actor, event.target_id) == (str(investigator.pk), str(investigator.pk))
    # The confirmation is already in the language just chosen, on the Spanish home page.
    body = _body(client.get("/staff/"))
    _has_all(
        body, ["Las páginas del personal usan ahora el idioma que eligió.", '<html lang="es">']
    )


def test_back_to_the_browser_choice_and_nothing_recorded_without_a_change(investigator) -> None:
    client = _client(investigator, "es")

    client.post("/staff/language/", {"language": ""})
    client.post("/staff/language/", {"language": ""})

    assert fresh(investigator).language == ""
    assert AuditEvent.objects.filter(action=Action.ACCOUNT_UPDATED).count() == 1


def test_an_unknown_language_is_refused(investigator) -> None:
    client = _client(investigator)

    response = client.post("/staff/language/", {"language": "fr"}, follow=True)

    assert fresh(investigator).language == ""
    _has_all(_body(response), ["Choose one of the languages offered."])
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_UPDATED).exists()


def test_only_the_member_sets_their_own_language(investigator, supervisor) -> None:
    with pytest.raises(NotYours):
        actions.do_set_language(supervisor, language="es", acting_user=investigator)
    with pytest.raises(Invalid):
        actions.do_set_language(investigator, language="fr", acting_user=investigator)

    assert fresh(supervisor).language == ""


def test_signed_out_nobody_sets_a_language() -> None:
    response = Client().post("/staff/language/", {"language": "es"})

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


# --- Staff pages follow it ----------------------------------------------------------------------


def test_spanish_staff_see_the_queue_filters_and_navigation_in_spanish(investigator) -> None:
    response = _client(investigator, "es").get("/triage/", headers={"Accept-Language": "en"})
    body = _body(response)

    assert '<html lang="es">' in body and response["Content-Language"] == "es"
    _has_all(body, SPANISH_NAV)
    filters = [">Estado", ">Categoría", ">Prioridad", ">Zona", "Cualquiera", ">Filtrar<"]
    _has_all(body, [*filters, "Abiertas (no cerradas)", "Sin reclamar", "Filtrar la cola"])
    # The filters' choices are named in Spanish too.
    _has_all(body, ['<option value="new">Nuevo</option>', ">En revisión</option>"])
    _has_none(body, [*ENGLISH_NAV, ">Open (not closed)<", ">Any<", ">Unclaimed<"])


def test_spanish_staff_see_the_audit_log_in_spanish(supervisor) -> None:
    body = _body(_client(supervisor, "es").get("/audit/"))

    assert '<html lang="es">' in body
    _has_all(body, [*SPANISH_NAV, "Registro de auditoría", "Aplicar filtros"])
    _has_none(body, ["Apply filters"])


def test_english_staff_stay_in_english_whatever_the_browser_says(investigator) -> None:
    response = _client(investigator, "en").get("/triage/", headers={"Accept-Language": "es"})
    body = _body(response)

    assert '<html lang="en">' in body and response["Content-Language"] == "en"
    _has_all(body, [*ENGLISH_NAV, ">Open (not closed)<"])


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("es", "es"),
        ("es-MX,es;q=0.9,en;q=0.5", "es"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("en", "en"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR", "en"),
        ("", "en"),
    ],
)
def test_the_browser_choice_follows_accept_language(investigator, accept, language) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    response = _client(investigator, "").get("/staff/", headers=headers)
    body = _body(response)

    assert f'<html lang="{language}">' in body and response["Content-Language"] == language
    _has_all(body, SPANISH_NAV if language == "es" else ENGLISH_NAV)


def test_the_change_password_page_works_in_spanish(investigator) -> None:
    client = _client(investigator, "es")

    body = _body(client.get("/staff/password/"))
    response = client.post("/staff/password/", {"old_password": "wrong", "new_password": "x"})

    assert '<html lang="es">' in body
    _has_all(body, [*SPANISH_NAV, 'name="old_password"', 'name="new_password"'])
    assert response.status_code == 400


def test_the_api_is_left_as_it_was(investigator) -> None:
    response = _client(investigator, "es").get("/api/v1/auth/me/")

    assert response.status_code == 200 and response.headers.get("Content-Language") != "es"


# --- Public pages are unchanged -----------------------------------------------------------------


def test_the_landing_page_still_sends_a_spanish_browser_to_es_on_its_first_visit() -> None:
    response = Client().get("/", headers={"Accept-Language": "es"})

    assert (response.status_code, response["Location"]) == (302, "/es/")


@pytest.mark.parametrize("path", ["/", "/tip/", "/help/", "/follow-up/"])
def test_unprefixed_public_pages_stay_english_for_a_spanish_browser(path) -> None:
    # A same-site Referer: a visitor who followed a link here, not a first visit to /.
    response = Client().get(
        path, headers={"Accept-Language": "es", "Referer": "http://testserver/es/"}
    )
    body = _body(response)

    assert '<html lang="en">' in body and response["Content-Language"] == "en"
    # No language cookie (the forms' own CSRF cookie is unchanged).
    assert set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("path", ["/", "/tip/", "/help/", "/follow-up/"])
def test_public_pages_keep_the_language_of_their_address_for_signed_in_staff(
    investigator, path
) -> None:
    spanish_member = _client(investigator, "es")
    referer = {"Referer": "http://testserver/es/"}

    english = spanish_member.get(path, headers={"Accept-Language": "es", **referer})
    spanish = spanish_member.get(f"/es{path}", headers={"Accept-Language": "en", **referer})

    assert '<html lang="en">' in _body(english) and english["Content-Language"] == "en"
    assert '<html lang="es">' in _body(spanish) and spanish["Content-Language"] == "es"
    assert "Cerrar sesión" not in _body(english)


def test_the_staff_sign_in_page_is_unchanged_for_anonymous_visitors() -> None:
    response = Client().get("/staff/login/", headers={"Accept-Language": "es"})

    assert '<html lang="en">' in _body(response) and response["Content-Language"] == "en"
