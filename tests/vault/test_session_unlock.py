import base64

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory

from portal import vault
from portal.vault import session
from portal.vault.session import end_unlocked_session, start_unlocked_session, unlocked_keys
from tests.vault.members import PASSWORD

pytestmark = pytest.mark.django_db


def request_for(user, store: SessionStore, cookies: dict[str, str] | None = None):
    request = RequestFactory().get("/triage/")
    request.user, request.session = user, store
    request.COOKIES.update(cookies or {})
    return request


@pytest.fixture
def signed_in(investigator, settings):
    """(user, saved session, the vault cookie's value), as after a real sign-in."""
    store = SessionStore()
    response = HttpResponse()
    start_unlocked_session(
        request_for(investigator, store), response, vault.unlock(investigator, PASSWORD)
    )
    store.save()
    return investigator, store, response.cookies[settings.VAULT_COOKIE_NAME].value


def test_it_round_trips_the_personal_key(investigator) -> None:
    unlocked = vault.unlock(investigator, PASSWORD)
    sealed, key = session.seal_personal_key(unlocked)
    opened = session.open_personal_key(investigator, sealed, key)
    assert opened.personal_key.public_bytes() == unlocked.personal_key.public_bytes()
    assert unlocked.personal_key.private_bytes() not in sealed


def test_it_unlocks_a_request_with_both_halves(signed_in, triage, settings) -> None:
    user, store, cookie = signed_in
    request = request_for(
        user, SessionStore(store.session_key), {settings.VAULT_COOKIE_NAME: cookie}
    )
    keys = unlocked_keys(request)
    assert keys is not None and keys.has_desk(triage)
    assert unlocked_keys(request) is keys  # cached for the request


def test_it_decrypts_nothing_from_a_stolen_session_row(signed_in) -> None:
    user, store, _cookie = signed_in
    row = Session.objects.get(session_key=store.session_key)
    data = SessionStore().decode(row.session_data)
    assert set(data) == {session.SESSION_FIELD}
    seed = vault.unlock(user, PASSWORD).personal_key.private_bytes()
    assert seed not in base64.b64decode(data[session.SESSION_FIELD])
    assert unlocked_keys(request_for(user, SessionStore(store.session_key))) is None
    with pytest.raises(vault.Locked):
        session.open_personal_key(user, base64.b64decode(data[session.SESSION_FIELD]), b"\0" * 32)


def test_it_decrypts_nothing_from_a_stolen_cookie(signed_in, settings) -> None:
    user, _store, cookie = signed_in
    request = request_for(user, SessionStore(), {settings.VAULT_COOKIE_NAME: cookie})
    assert unlocked_keys(request) is None


def test_it_refuses_the_halves_for_another_account(signed_in, make_member, settings) -> None:
    _user, store, cookie = signed_in
    other = make_member("oscar")
    request = request_for(
        other, SessionStore(store.session_key), {settings.VAULT_COOKIE_NAME: cookie}
    )
    assert unlocked_keys(request) is None


@pytest.mark.parametrize("damage", ["flip", "truncate", "short-key", "garbage-cookie"])
def test_it_stays_locked_when_either_half_is_damaged(investigator, damage: str) -> None:
    sealed, key = session.seal_personal_key(vault.unlock(investigator, PASSWORD))
    if damage == "flip":
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    elif damage == "truncate":
        sealed = sealed[:-5]
    elif damage == "short-key":
        key = key[:16]
    else:
        key = b"x" * 32
    with pytest.raises(vault.Locked):
        session.open_personal_key(investigator, sealed, key)


def test_it_stops_opening_when_the_personal_key_is_replaced(investigator) -> None:
    sealed, key = session.seal_personal_key(vault.unlock(investigator, PASSWORD))
    vault.create_personal_key(investigator, "after a reset, new password 4")
    with pytest.raises(vault.Locked):
        session.open_personal_key(investigator, sealed, key)


def test_it_sets_a_strict_http_only_browser_session_cookie(investigator, settings) -> None:
    settings.COOKIE_SECURE, settings.VAULT_COOKIE_NAME = True, "__Host-vault"
    response = HttpResponse()
    start_unlocked_session(
        request_for(investigator, SessionStore()), response, vault.unlock(investigator, PASSWORD)
    )
    cookie = response.cookies["__Host-vault"]
    assert cookie["httponly"] and cookie["secure"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert not cookie["max-age"] and not cookie["expires"]


def test_it_names_the_cookie_by_the_secure_setting() -> None:
    from portal import settings as base

    expected = "__Host-vault" if base.COOKIE_SECURE else "vault"
    assert expected == base.VAULT_COOKIE_NAME


def test_it_ends_the_unlocked_session(signed_in, settings) -> None:
    user, store, cookie = signed_in
    store = SessionStore(store.session_key)
    request = request_for(user, store, {settings.VAULT_COOKIE_NAME: cookie})
    response = HttpResponse()
    end_unlocked_session(request, response)
    store.save()
    assert session.SESSION_FIELD not in SessionStore(store.session_key).load()
    assert response.cookies[settings.VAULT_COOKIE_NAME]["max-age"] == 0
    assert unlocked_keys(request) is None
    again = request_for(user, SessionStore(store.session_key), {settings.VAULT_COOKIE_NAME: cookie})
    assert unlocked_keys(again) is None  # the old cookie is useless now


def test_it_ignores_anonymous_requests(settings) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = request_for(AnonymousUser(), SessionStore(), {settings.VAULT_COOKIE_NAME: "abc"})
    assert unlocked_keys(request) is None
