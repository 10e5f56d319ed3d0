"""Every staff page answers a locked vault, a missing desk key or shredded content itself: the
locked page (403) or the gone page (410), never a server error, whatever the view."""

from __future__ import annotations

import pytest
from django.test import Client

from portal import vault
from tests.staff import sign_in
from triage import reading


@pytest.fixture
def page(investigator, tip):
    return sign_in(Client(raise_request_exception=False), investigator), (
        f"/triage/tips/{tip.code}/minor-summary/"
    )


@pytest.mark.parametrize(
    ("raised", "status", "heading"),
    [
        (vault.Locked("locked"), 403, "This cannot be opened here"),
        (vault.NoDeskAccess("triage"), 403, "This cannot be opened here"),
        (vault.Shredded("gone"), 410, "This is no longer available"),
    ],
)
def test_it_answers_what_the_vault_says(page, monkeypatch, raised, status, heading) -> None:
    client, path = page
    assert client.get(path).status_code == 200  # the page itself works

    def refuse(*args, **kwargs):
        raise raised

    monkeypatch.setattr(reading, "open_tip", refuse)
    response = client.get(path)

    assert response.status_code == status
    assert heading in response.content.decode()
