"""`POST /api/v1/follow-up/`, `/api/v1/follow-up/messages/` and `/api/v1/auth/login/` with
generated bodies: only the answers they document, always in the error shape, never a token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from portal.accounts.models import ApiToken
from tests.fuzz.strategies import any_text, assert_api_error, hostile, receipt_text, valid_text
from tips.models import Message

pytestmark = pytest.mark.django_db


def post_json(path: str, body: Any) -> Any:
    return Client().generic(
        "POST", path, json.dumps(body).encode(), content_type="application/json"
    )


@pytest.fixture
def real_receipt(submit) -> str:
    return submit()[1]


@st.composite
def _bodies(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    """Mostly well-formed (so the checks behind the first are reached), a field or two hostile,
    missing or extra, or not an object at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(hostile)
    body = {}
    for name, value in fields.items():
        roll = draw(st.integers(0, 9))
        if roll == 0:
            continue
        body[name] = draw(hostile if roll == 1 else value)
    if draw(st.integers(0, 5)) == 0:
        body.update(draw(st.dictionaries(any_text, hostile, min_size=1, max_size=2)))
    return body


# The one real receipt is put in by `use_real`, so a valid thread is read and written to.
receipts = st.one_of(
    receipt_text, st.just("REAL"), st.just("REAL"), st.just("real-lowercase"), any_text
)


def _with_receipt(body: Any, real: str) -> Any:
    if isinstance(body, dict) and body.get("receipt") == "REAL":
        return {**body, "receipt": real}
    if isinstance(body, dict) and body.get("receipt") == "real-lowercase":
        return {**body, "receipt": real.lower().replace("-", " ")}
    return body


@given(body=_bodies({"receipt": receipts}))
def test_a_generated_follow_up_gets_the_thread_or_a_clear_4xx(real_receipt, body):
    response = post_json("/api/v1/follow-up/", _with_receipt(body, real_receipt))

    event(f"status {response.status_code}")
    if response.status_code == 200:
        assert response.json()["status"] == "received"
    else:
        sent = set(body) if isinstance(body, dict) else set()
        error = assert_api_error(response, {"receipt"} | sent)
        assert response.status_code in (400, 404, 413), error


@given(body=_bodies({"receipt": receipts, "body": st.one_of(valid_text.filter(str.strip))}))
def test_a_generated_message_is_added_or_gets_a_clear_4xx(real_receipt, body):
    before = Message.objects.count()
    response = post_json("/api/v1/follow-up/messages/", _with_receipt(body, real_receipt))

    event(f"status {response.status_code}")
    added = Message.objects.count() - before
    if response.status_code == 201:
        assert added == 1
    else:
        sent = set(body) if isinstance(body, dict) else set()
        error = assert_api_error(response, {"receipt", "body"} | sent)
        assert response.status_code in (400, 404, 413), error
        assert added == 0


@pytest.fixture
def staff_account(investigator) -> str:
    return investigator.username


@given(
    body=_bodies(
        {
            "username": st.one_of(st.just("STAFF"), valid_text),
            "password": st.one_of(valid_text, st.just("correct horse battery staple")),
            "otp_token": st.one_of(st.text("0123456789", min_size=6, max_size=6), valid_text),
        }
    )
)
def test_a_generated_sign_in_gets_no_token_and_a_clear_4xx(staff_account, body):
    if isinstance(body, dict) and body.get("username") == "STAFF":
        body = {**body, "username": staff_account}
    response = post_json("/api/v1/auth/login/", body)

    event(f"status {response.status_code}")
    sent = set(body) if isinstance(body, dict) else set()
    error = assert_api_error(response, {"username", "password", "otp_token"} | sent)
    assert response.status_code in (400, 401, 413, 429), error
    assert "token" not in response.json()
    assert not ApiToken.objects.exists()
