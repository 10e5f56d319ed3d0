import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_serves_the_landing_page_in_english(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "call 911" in body
    assert "1-888-373-7888" in body


def test_it_serves_the_landing_page_in_spanish(client: Client) -> None:
    response = client.get("/es/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "llame al 911" in body


def test_it_offers_a_language_switch_and_a_quick_exit(client: Client) -> None:
    body = client.get("/").content.decode()
    assert 'href="/es/"' in body
    assert 'id="quick-exit"' in body
    assert 'rel="noreferrer noopener"' in body


def test_it_sets_no_cookie_on_the_public_page(client: Client) -> None:
    response = client.get("/")
    assert response.cookies == {}


def test_it_sends_privacy_and_security_headers(client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_it_loads_nothing_from_another_host(client: Client) -> None:
    import re

    body = client.get("/").content.decode()
    resources = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', body)
    assert resources, "the page should load its own stylesheet and script"
    assert all(url.startswith("/") for url in resources), resources


def test_it_rejects_a_post(client: Client) -> None:
    assert client.post("/").status_code == 405


def test_it_answers_health_checks(client: Client) -> None:
    assert client.get("/healthz/").json() == {"status": "ok"}
