"""`POST /api/v1/tips/` with generated bodies: a 201 with a receipt that opens the tip, or a 4xx
in the error shape; a tip is stored exactly when a receipt is given."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.strategies import assert_api_error, encode_json, tip_bodies
from tips.api import RETRY_HEADER, TipSerializer
from tips.models import Tip

pytestmark = pytest.mark.django_db

TIP_FIELDS = {*TipSerializer().fields, "attachments", RETRY_HEADER}
retry_keys = st.one_of(
    st.none(),
    st.none(),
    st.none(),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=22, max_size=30),
    st.text(st.characters(codec="latin-1"), max_size=30),
)


def post(body: bytes, content_type: str, retry_key: str | None = None) -> Any:
    headers = {RETRY_HEADER: retry_key} if retry_key is not None else {}
    # `generic` sends the bytes as they are (`post` would re-encode them to the charset named).
    return Client().generic(
        "POST", "/api/v1/tips/", body, content_type=content_type, headers=headers
    )


def check(response: Any, before: int, real_fields: set[str]) -> None:
    stored = Tip.objects.count() - before
    event(f"status {response.status_code}")
    if response.status_code == 201:
        assert response["Content-Type"].startswith("application/json")
        receipt = response.json()["receipt"]
        replayed = response.get("Idempotent-Replayed") == "true"
        assert stored == (0 if replayed else 1)
        opened = Client().post(
            "/api/v1/follow-up/", {"receipt": receipt}, content_type="application/json"
        )
        assert opened.status_code == 200, opened.content
        assert opened.json()["status"] == "received"
    else:
        assert_api_error(response, real_fields)
        assert stored == 0, "a tip was stored without a receipt"


@given(body=tip_bodies(), raw_utf8=st.booleans(), retry_key=retry_keys)
def test_a_generated_json_tip_gets_a_receipt_or_a_clear_4xx(recovery_key, body, raw_utf8,
                                                           retry_key):  # fmt: skip
    before = Tip.objects.count()
    response = post(encode_json(body, raw_utf8=raw_utf8), "application/json", retry_key)

    sent = {str(name) for name in body} if isinstance(body, dict) else set()
    check(response, before, TIP_FIELDS | sent)


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=fuzz",
        "multipart/form-data",
        "application/octet-stream",
        "",
        "garbage/\x00",
    ]
)
raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda head, tail: b"--fuzz\r\n" + head + b"\r\n\r\n" + tail,
        st.sampled_from(
            [
                b'Content-Disposition: form-data; name="what"',
                b'Content-Disposition: form-data; name="attachments"; filename="a.jpg"',
                b'Content-Disposition: form-data; name="contact"',
                b"Content-Disposition: form-data",
                b'Content-Disposition: form-data; name="\xff\xfe"',
            ]
        ),
        st.binary(max_size=100),
    ),
    st.sampled_from(
        [
            b"{",
            b"[1,",
            b'{"what": NaN}',
            b'{"a": Infinity}',
            b"\xef\xbb\xbf{}",
            b'"text"',
            b"null",
            b"1e999999",
            b"[" * 5000,
            b'{"a":' * 5000,
        ]
    ),
)


@given(body=raw_bodies, content_type=CONTENT_TYPES)
def test_a_body_that_is_not_a_tip_gets_a_clear_4xx(recovery_key, body, content_type):
    before = Tip.objects.count()
    response = post(body, content_type)

    check(response, before, TIP_FIELDS)
