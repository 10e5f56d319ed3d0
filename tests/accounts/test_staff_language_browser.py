"""A member switches the staff pages to Spanish from the home page, in Debian's chromium at a
phone's width, and back to the browser's choice; axe-core finds no violation either way."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browsing import sign_in_page
from tests.readers import fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_switches_the_staff_pages_to_spanish_and_back(
    open_tab, live_server, investigator
) -> None:
    page = open_tab(390, 800)
    sign_in_page(page, live_server, investigator)

    page.get_by_role("group", name="Language of the staff pages").get_by_label("Español").check()
    page.get_by_role("button", name="Save language").click()

    expect(page).to_have_url(f"{live_server.url}/staff/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    nav = page.get_by_role("navigation", name="Personal")
    expect(nav.get_by_role("link", name="Inicio")).to_be_visible()
    expect(nav.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    expect(page.locator("ul.messages li.success")).to_contain_text("usan ahora el idioma")
    assert fresh(investigator).language == "es"
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # The browser's choice: this browser asks for English, then for Spanish.
    group = page.get_by_role("group", name="Idioma de las páginas del personal")
    group.get_by_label("La elección del navegador").check()
    page.get_by_role("button", name="Guardar idioma").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Staff")).to_contain_text("Sign out")

    page.set_extra_http_headers({"Accept-Language": "es-MX,es;q=0.9"})
    page.goto(f"{live_server.url}/triage/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("form", name="Filtrar la cola")).to_contain_text("Estado")
    assert fresh(investigator).language == ""
