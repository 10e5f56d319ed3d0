"""Generated input: valid field values mixed with hostile ones, and the checks every answer of
the public API must pass."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import strategies as st

from tips.areas import area_codes
from tips.indicators import INDICATOR_CODES
from tips.models import Answer, Recency, What
from tips.submission import CONTACT_FIELDS, IDENTIFIER_KINDS

# Text of every kind: lone surrogates, NUL and other controls, right-to-left overrides and
# combining marks included (`codec=None` leaves no code point out).
any_text = st.text(st.characters(codec=None), max_size=40)
# Text a browser can send (UTF-8 has no lone surrogates).
sendable_text = st.text(st.characters(codec="utf-8"), max_size=40)
tricky_text = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\u202eexe.jpg", "\ud800", "\udfff", "\ufeff", "\u200b",
     "\r\n", "e\u0301", "😀", "\U0010ffff", "<script>alert(1)</script>", "' OR 1=1 --",
     "%s%n%x", "{}", "[]", "null", "NaN"]
)  # fmt: skip
# Strings longer than any limit (20,000 characters is the largest), built without generating
# each character.
long_text = st.builds(
    lambda char, count: char * count,
    st.sampled_from(["x", "é", "😀", " ", "\u202e"]),
    st.sampled_from([199, 200, 201, 2_000, 2_001, 20_000, 20_001, 60_000]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**63, 10**40, 1e308, -0.0]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text, tricky_text)


def nested(depth: int) -> st.SearchStrategy[Any]:
    """A list or object nested `depth` levels deep (the parser allows 32)."""
    return st.sampled_from(["list", "dict"]).map(lambda kind: _nest(kind, depth))


def _nest(kind: str, depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
hostile = st.one_of(
    scalars,
    long_text,
    json_values,
    st.integers(min_value=30, max_value=40).flatmap(nested),
)


# Text the API takes: anything but NUL and lone surrogates (JSON can carry both).
valid_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
short_text = st.one_of(
    valid_text,
    st.sampled_from([" ", "\u202eexe.jpg", "\ufeff", "e\u0301", "😀", "<b>x</b>", "%s%n", "{}"]),
)
WHAT = [code for code in What.values if code != What.NOT_TRAFFICKING]
receipt_text = st.one_of(
    st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=0, max_size=30),
    st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=20, max_size=20).map(
        lambda code: "-".join(code[i : i + 5] for i in range(0, 20, 5))
    ),
)


def _identifiers() -> st.SearchStrategy[Any]:
    return st.dictionaries(st.sampled_from(IDENTIFIER_KINDS), st.lists(short_text, max_size=5))


def _contact() -> st.SearchStrategy[Any]:
    fields = dict.fromkeys(CONTACT_FIELDS, short_text)
    fields["email"] = st.one_of(st.just(""), st.emails())
    fields["safe_contact"] = short_text
    fields["may_contact"] = st.booleans()
    return st.fixed_dictionaries({}, optional=fields)


def valid_tip_fields() -> dict[str, st.SearchStrategy[Any]]:
    """A valid value for each field of the API's tip, from the value sets themselves."""
    return {
        "what": st.sampled_from(WHAT),
        "description": st.one_of(valid_text.filter(str.strip), st.sampled_from(["😀", "\u202e."])),
        "immediate_danger": st.sampled_from(Answer.values),
        "minor_involved": st.sampled_from(Answer.values),
        "recency": st.sampled_from(Recency.values),
        "when": short_text,
        "location": short_text,
        "area": st.sampled_from(["", *sorted(area_codes())]),
        "people": short_text,
        "vehicles": short_text,
        "identifiers": _identifiers(),
        "indicators": st.lists(st.sampled_from(sorted(INDICATOR_CODES)), max_size=5),
        "contact": _contact(),
        "language": st.sampled_from(["en", "es"]),
        "keep_original": st.booleans(),
    }


REQUIRED = ("what", "description", "immediate_danger", "minor_involved")
# Where a nested part of a field may be made hostile too.
NESTED = {
    "identifiers": (*IDENTIFIER_KINDS, "unknown"),
    "contact": (*CONTACT_FIELDS, "safe_contact", "may_contact", "unknown"),
}


@st.composite
def tip_bodies(draw: st.DrawFn) -> Any:
    """A tip body: a valid one with none, one or a few fields made hostile (so both stored tips
    and refusals are common), a required field or two left out, unknown keys, or not an object
    at all."""
    fields = valid_tip_fields()
    body = draw(
        st.fixed_dictionaries(
            {name: fields[name] for name in REQUIRED},
            optional={name: value for name, value in fields.items() if name not in REQUIRED},
        )
    )
    spoilt = draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))
    for name in draw(st.lists(st.sampled_from(sorted(fields)), min_size=spoilt, max_size=spoilt,
                              unique=True)):  # fmt: skip
        part = draw(st.sampled_from(NESTED.get(name, (None,))))
        if part is not None and isinstance(body.get(name), dict):
            body[name][part] = draw(hostile)
        else:
            body[name] = draw(hostile)
    if draw(st.integers(0, 5)) == 0:
        for name in draw(st.sets(st.sampled_from(REQUIRED), min_size=1, max_size=2)):
            body.pop(name, None)
    if draw(st.integers(0, 5)) == 0:
        body.update(draw(st.dictionaries(any_text, hostile, min_size=1, max_size=2)))
    if draw(st.integers(0, 9)) == 0:
        return draw(hostile)
    return body


def encode_json(body: Any, *, raw_utf8: bool) -> bytes:
    """As a client library would send it; `raw_utf8` writes lone surrogates as invalid UTF-8."""
    if raw_utf8:
        return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return json.dumps(body).encode()


def assert_api_error(response: Any, real_fields: set[str]) -> dict[str, Any]:
    """A 4xx of the public API: JSON with the one error shape; a 400 about fields names real
    ones. Returns the error."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    if response.status_code == 400:
        assert set(error["fields"]) <= real_fields, (error["fields"], real_fields)
    return error
