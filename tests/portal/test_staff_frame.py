"""One staff frame: error pages come in the staff frame for a signed-in, verified member and in
the public frame for everyone else, with no hint that staff pages exist; the API keeps its JSON;
every staff table is marked up to stack on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from portal import errors
from tests.staff import STAFF_PASSWORD, login_verified, sign_in

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STAFF_FOOTER = "every action on this site is recorded in the audit log"
MISSING = "/triage/tips/00000000-0000-4000-8000-000000000000/"


def _staff_frame(body: str) -> None:
    assert 'class="staff-nav" aria-label="Staff"' in body
    assert 'action="/staff/logout/"' in body and "Sign out" in body
    assert STAFF_FOOTER in body
    assert '<a href="/staff/">Back to your start page</a>' in body
    assert 'id="quick-exit"' not in body


def _public_frame(body: str) -> None:
    assert 'id="quick-exit"' in body and 'href="tel:911"' in body
    # Nothing that says staff pages exist: no navigation, no sign-out, no staff address.
    assert "staff-nav" not in body and "Sign out" not in body
    assert "/staff/" not in body and STAFF_FOOTER not in body


def test_it_shows_a_404_in_the_staff_frame_to_a_signed_in_member(investigator) -> None:
    response = sign_in(Client(), investigator).get(MISSING)

    assert response.status_code == 404
    body = response.content.decode()
    _staff_frame(body)
    assert "There is nothing at this address." in body


def test_it_shows_a_403_in_the_staff_frame_to_a_signed_in_member(investigator) -> None:
    response = sign_in(Client(), investigator).get("/triage/reveals/")

    assert response.status_code == 403
    body = response.content.decode()
    _staff_frame(body)
    assert "You do not have access to this page." in body


@pytest.mark.parametrize("path", ["/no-such-page/", "/es/no-such-page/"])
def test_it_shows_a_404_in_the_public_frame_to_the_public(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    _public_frame(response.content.decode())


def test_it_keeps_a_member_halfway_through_signing_in_in_the_public_frame(
    client: Client, investigator
) -> None:
    client.post("/staff/login/", {"username": investigator.username, "password": STAFF_PASSWORD})

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    _public_frame(response.content.decode())


def test_it_keeps_the_api_answers_json_for_a_signed_in_member(investigator) -> None:
    response = sign_in(Client(), investigator).get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_shows_a_refused_staff_form_in_the_staff_frame(investigator) -> None:
    client = Client(enforce_csrf_checks=True)
    login_verified(client, investigator)

    response = client.post("/staff/logout/")  # no CSRF token

    assert response.status_code == 403
    body = response.content.decode()
    _staff_frame(body)
    assert "This page could not be sent." in body


def _request(user=None):
    request = RequestFactory().get("/triage/")
    if user is not None:
        user.is_verified = lambda: True
        request.user = user
    return request


def test_it_draws_400_and_500_pages_in_the_staff_frame_for_a_member(investigator) -> None:
    request = _request(investigator)

    bad = errors.bad_request(request, Exception("broken"))
    failed = errors.server_error(request)

    assert bad.status_code == 400
    _staff_frame(bad.content.decode())
    assert failed.status_code == 500
    _staff_frame(failed.content.decode())
    assert "Something went wrong on our side." in failed.content.decode()


def test_it_falls_back_to_the_plain_500_page_when_the_frame_cannot_be_drawn(
    investigator,
) -> None:
    with mock.patch.object(errors, "render", side_effect=RuntimeError("template broken")):
        failed = errors.server_error(_request(investigator))

    assert failed.status_code == 500
    assert failed.content.decode() == errors._SERVER_ERROR_HTML


def test_it_keeps_the_plain_500_page_for_the_public() -> None:
    request = _request()

    assert errors.server_error(request).content.decode() == errors._SERVER_ERROR_HTML


def test_it_names_the_staff_frame_in_spanish(investigator) -> None:
    with translation.override("es"):
        body = errors.error_page(_request(investigator), 404, "x").content.decode()

    stale = "is the .mo stale? run `manage.py compile_translations`"
    spanish = ['aria-label="Personal"', ">Inicio</a>", ">Cola</a>", "Cerrar sesión",
               "Volver a su página de inicio", "queda en el registro de auditoría"]  # fmt: skip
    missing = [text for text in spanish if text not in body]
    assert not missing, f"{missing} ({stale})"


# --- The staff tables stack on a phone -------------------------------------------------------

# The audit pages' tables follow the same convention in their own change.
STAFF_TEMPLATES = ("accounts", "triage", "handoffs")
STACKED = {
    "accounts/accounts.html",
    "accounts/on_call.html",
    "handoffs/inbox.html",
    "triage/queue.html",
    "triage/retention_policy.html",
    "triage/reveals.html",
}
TABLE = re.compile(r"<table\b[^>]*>")
CELL = re.compile(r"<td\b[^>]*>|<th\b[^>]*\bscope=\"row\"[^>]*>")
LABEL = re.compile(r'data-label="([^"]*)"')  # an empty label: a "nothing here" row


def _tables() -> dict[str, str]:
    return {
        str(path.relative_to(TEMPLATES)): path.read_text()
        for folder in STAFF_TEMPLATES
        for path in sorted((TEMPLATES / folder).glob("*.html"))
        if TABLE.search(path.read_text())
    }


def test_every_staff_table_stacks_and_names_its_cells() -> None:
    found = _tables()

    assert set(found) == STACKED
    for name, text in found.items():
        for table in TABLE.findall(text):
            assert re.search(r'class="[^"]*\bstack-table\b', table), (name, table)
        cells = CELL.findall(text)
        assert cells, name
        unnamed = [cell for cell in cells if "data-label=" not in cell]
        assert not unnamed, (name, unnamed)
        labels = LABEL.findall(text)
        assert len(labels) == len(cells), name
        untranslated = [label for label in labels if label and "{% translate" not in label]
        assert not untranslated, (name, untranslated)


def test_the_statistics_tables_scroll_in_their_own_labelled_region() -> None:
    text = (TEMPLATES / "stats" / "statistics.html").read_text()

    region = re.search(r"<div ([^>]*)>\s*<table>\s*<caption id=\"([^\"]+)\">", text)
    assert region is not None
    attributes, caption = region.groups()
    assert 'class="table-scroll"' in attributes and 'role="region"' in attributes
    assert 'tabindex="0"' in attributes and f'aria-labelledby="{caption}"' in attributes
    assert text.count("<table") == 1
