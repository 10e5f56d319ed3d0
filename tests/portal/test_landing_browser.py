import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_switches_language_and_leaves_by_quick_exit(page, live_server, settings) -> None:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert "llame al 911" in page.content()

    page.get_by_role("link", name="Salida rápida").click()
    page.wait_for_url(f"{live_server.url}/healthz/")
    # location.replace(): the Back button must not lead back to the tip line.
    page.go_back()
    assert "/es/" not in page.url


def test_it_works_without_javascript(browser, live_server, settings) -> None:
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz/"
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/es/")
    page.get_by_role("link", name="Salida rápida").click()
    page.wait_for_url(f"{live_server.url}/healthz/")
    context.close()
