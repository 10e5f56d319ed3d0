"""The web form `POST /tip/` with generated fields: the form again (400) or the receipt (201),
never a 5xx; a tip is stored exactly when a receipt is shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.strategies import long_text, sendable_text, valid_tip_fields
from tests.tips.payloads import form_tip
from tips.forms import TipForm, new_submission_token
from tips.models import Tip

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r'<code id="receipt">([0-9A-Z-]{23})</code>')
FORM_FIELDS = sorted(set(TipForm.base_fields) - {"attachments"})
# What a browser (or a script) can put in a form field: text of any length, several values.
form_values = st.one_of(
    sendable_text,
    long_text.filter(lambda text: "\ud800" not in text),
    st.lists(sendable_text, min_size=2, max_size=3),
    st.sampled_from(["", "on", "yes", "no", "true", "0", "\x00", "\u202e", "x" * 129]),
)


@st.composite
def form_bodies(draw: st.DrawFn) -> dict[str, Any]:
    valid = valid_tip_fields()
    data = form_tip(
        what=draw(valid["what"]),
        description=draw(valid["description"]),
        area=draw(valid["area"]),
        indicators=draw(valid["indicators"]),
        submission_token=draw(
            st.sampled_from(["fresh", "fresh", "fresh", "", "forged", "forged:signature"])
        ),
    )
    if data["submission_token"] == "fresh":
        data["submission_token"] = new_submission_token()
    for name in draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=3, unique=True)):
        if draw(st.integers(0, 3)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(form_values)
    if draw(st.integers(0, 5)) == 0:
        data.update(draw(st.dictionaries(sendable_text, form_values, min_size=1, max_size=2)))
    return data


@given(data=form_bodies(), resend=st.integers(0, 5))
def test_a_generated_form_shows_the_receipt_or_the_form_again(recovery_key, data, resend):
    client = Client()
    before = Tip.objects.count()
    response = client.post("/tip/", data)

    event(f"status {response.status_code}")
    assert response.status_code in (201, 400), response.status_code
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    stored = Tip.objects.count() - before
    if response.status_code == 201:
        receipt = RECEIPT.search(page).group(1)
        assert stored == 1
        opened = Client().post(
            "/api/v1/follow-up/", {"receipt": receipt}, content_type="application/json"
        )
        assert opened.status_code == 200
        if resend == 0:
            # A resend of the same form with a token of the server's making shows the same
            # receipt and stores nothing more.
            again = client.post("/tip/", data)
            assert again.status_code == 201
            token = data.get("submission_token")
            if isinstance(token, str) and token.count(":") == 1 and token != "forged:signature":
                assert RECEIPT.search(again.content.decode()).group(1) == receipt
                assert Tip.objects.count() - before == 1
    else:
        assert 'name="description"' in page
        assert stored == 0, "a tip was stored without a receipt"


raw_form_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda head, tail: head + tail, st.sampled_from(
        [b"what=other&description=", b"description=%ff%fe&what=", b"a=%zz&", b"=&=&&",
         b"what=other&description=x&immediate_danger=no&minor_involved=no&area=%00"]
    ), st.binary(max_size=60)),
)  # fmt: skip


@given(
    body=raw_form_bodies,
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/x-www-form-urlencoded; charset=nonsense",
            "multipart/form-data; boundary=fuzz",
            "multipart/form-data",
            "text/plain",
        ]
    ),
)
def test_a_raw_form_body_never_gets_a_5xx(recovery_key, body, content_type):
    before = Tip.objects.count()
    response = Client().generic("POST", "/tip/", body, content_type=content_type)

    event(f"status {response.status_code}")
    assert response.status_code in (201, 400), response.status_code
    assert (Tip.objects.count() - before) == (1 if response.status_code == 201 else 0)
