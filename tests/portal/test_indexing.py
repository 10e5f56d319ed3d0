"""Search engines find the public doors and nothing else; every page answers HEAD; a favicon."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.staff import sign_in

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')
ROBOTS_META = re.compile(r'<meta name="robots" content="([^"]+)">')


def _robots(response) -> tuple[str, str]:
    [meta] = ROBOTS_META.findall(response.content.decode())
    return meta, response["X-Robots-Tag"]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/", "anonymously"),
        ("/tip/", "task force"),
        ("/help/", "confidential"),
        ("/es/", "anónima"),
        ("/es/tip/", "equipo especial"),
        ("/es/help/", "confidencial"),
    ],
)
def test_the_public_doors_are_indexable_with_a_description_in_their_language(
    client: Client, path: str, words: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    [description] = DESCRIPTION.findall(response.content.decode())
    assert words in description
    meta, header = _robots(response)
    assert "noindex" not in meta and "noindex" not in header
    assert "noarchive" in meta and "noarchive" in header


@pytest.mark.parametrize("path", ["/follow-up/", "/es/follow-up/", "/staff/login/"])
def test_the_follow_up_and_staff_pages_stay_noindex(client: Client, path: str) -> None:
    meta, header = _robots(client.get(path))
    assert "noindex" in meta and "noindex" in header


def test_the_receipt_stays_noindex(client: Client, recovery_key) -> None:
    form = client.get("/tip/").content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', form)
    fields = {
        "what": "other",
        "description": "A van parks behind the motel every night.",
        "immediate_danger": "no",
        "minor_involved": "no",
    }
    if token:
        fields["submission_token"] = token.group(1)
    response = client.post("/tip/", fields)

    assert response.status_code == 201, response.content[:400]
    meta, header = _robots(response)
    assert "noindex" in meta and "noindex" in header


def test_staff_pages_stay_noindex_when_signed_in(investigator) -> None:
    staff = sign_in(Client(), investigator)
    response = staff.get("/triage/")
    meta, header = _robots(response)
    assert "noindex" in meta and "noindex" in header


@pytest.mark.parametrize(
    "path", ["/", "/tip/", "/help/", "/follow-up/", "/es/", "/staff/login/", "/robots.txt"]
)
def test_head_is_answered_wherever_get_is(client: Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("path", ["/triage/", "/audit/", "/handoffs/"])
def test_staff_pages_answer_head_too(supervisor, path: str) -> None:
    staff = sign_in(Client(), supervisor)
    get, head = staff.get(path), staff.head(path)
    assert head.status_code == get.status_code
    assert head.status_code != 405


def test_every_page_links_a_favicon_that_exists(client: Client) -> None:
    page = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)

    assert len(icons) == 2
    for href in icons:
        assert Client().get(href).status_code == 200, href
    favicon = client.get("/favicon.ico", follow=True)
    assert favicon.status_code == 200
    assert favicon.redirect_chain[0][0] == icons[1]


def test_robots_txt_keeps_crawlers_out_of_the_follow_up_and_staff_pages(client: Client) -> None:
    body = client.get("/robots.txt").content.decode()
    for path in ("/follow-up/", "/staff/", "/triage/", "/handoffs/", "/audit/", "/api/"):
        assert f"Disallow: {path}" in body
    assert "Disallow: /\n" not in body
