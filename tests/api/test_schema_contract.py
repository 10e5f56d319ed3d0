"""The OpenAPI schema documents what the API really answers (portal/schema.py).

The full proof is schemathesis against a running server (`.ci/api-contract`, run by `.ci/run`);
these tests pin each rule the schema states, so a change that breaks one fails here first.
"""

from __future__ import annotations

import re
import sys

import pytest
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st

from portal.vault.errors import InvalidReceipt
from portal.vault.tipster import ALPHABET, normalize_receipt, receipt_pattern
from tests.staff import sign_in

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema(client: Client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation


def _error_statuses(operation: dict) -> set[int]:
    return {
        int(code)
        for code, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        == ERROR_REF
    }


def test_it_documents_the_error_shape(schema: dict) -> None:
    error = schema["components"]["schemas"]["Error"]
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["error"]
    assert set(detail["required"]) == {"code", "message", "fields"}


def test_it_documents_each_error_an_operation_can_answer(schema: dict) -> None:
    for path, method, operation in _operations(schema):
        statuses = _error_statuses(operation)
        assert {406, 503} <= statuses, (method, path)
        if method in {"POST", "PATCH"}:
            assert {400, 413, 415} <= statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        if operation.get("security"):
            assert {401, 403} <= statuses, (method, path)
        else:
            assert 401 not in statuses or path == "/api/v1/auth/login/", (method, path)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/tips/", "post", {400, 413, 415, 422, 429}),
        ("/api/v1/follow-up/", "post", {400, 404, 429}),
        ("/api/v1/auth/login/", "post", {400, 401, 429}),
        ("/api/v1/triage/tips/{code}/claim/", "post", {401, 403, 404, 409}),
        ("/api/v1/audit/events/", "get", {400, 401, 403}),
    ],
)
def test_it_documents_the_rules_of_particular_operations(
    schema: dict, path: str, method: str, statuses: set[int]
) -> None:
    assert statuses <= _error_statuses(schema["paths"][path][method])


def test_it_states_the_rules_that_refuse_valid_looking_requests(schema: dict) -> None:
    components = schema["components"]["schemas"]
    tip = components["TipRequest"]
    assert tip["additionalProperties"] is False
    assert tip["properties"]["description"]["minLength"] == 1
    assert re.search(tip["properties"]["description"]["pattern"], " \t") is None
    assert tip["properties"]["area"]["oneOf"][0]["$ref"] == "#/components/schemas/AreaEnum"
    assert "olathe" in components["AreaEnum"]["enum"]
    assert components["PatchedTipPatchRequest"]["anyOf"] == [
        {"required": ["category"]},
        {"required": ["priority_level"]},
    ]
    # A body that must name one of two fields cannot be left out either.
    assert schema["paths"]["/api/v1/triage/tips/{code}/"]["patch"]["requestBody"]["required"]
    receipt = components["ReceiptRequest"]["properties"]["receipt"]["pattern"]
    assert re.search(receipt, "abcde-fghjk-mnpqr-stvwx")
    assert not re.search(receipt, "0")
    events = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/audit/events/"]["get"][
        "parameters"
    ]}  # fmt: skip
    assert (events["limit"]["minimum"], events["limit"]["maximum"]) == (1, 200)
    [retry_key] = [
        p for p in schema["paths"]["/api/v1/tips/"]["post"]["parameters"] if p["in"] == "header"
    ]
    assert re.search(retry_key["schema"]["pattern"], "short") is None


def test_it_documents_multipart_tips_with_json_parts(schema: dict) -> None:
    body = schema["paths"]["/api/v1/tips/"]["post"]["requestBody"]["content"]
    multipart = body["multipart/form-data"]
    assert multipart["encoding"]["identifiers"]["contentType"] == "application/json"
    assert multipart["encoding"]["contact"]["contentType"] == "application/json"
    upload = schema["components"]["schemas"]["TipUploadRequest"]
    assert upload["properties"]["attachments"]["items"]["format"] == "binary"
    staff_body = schema["paths"]["/api/v1/triage/tips/{code}/notes/"]["post"]["requestBody"]
    assert set(staff_body["content"]) == {"application/json"}


_separators = st.sampled_from([" ", "-", "_", ".", "\n", ""])


@given(
    symbols=st.lists(
        st.sampled_from(ALPHABET + ALPHABET.lower() + "OIL"), min_size=20, max_size=20
    ),
    gaps=st.lists(_separators, min_size=21, max_size=21),
)
def test_the_receipt_pattern_accepts_what_the_vault_accepts(symbols, gaps) -> None:
    text = "".join(gap + symbol for gap, symbol in zip(gaps, [*symbols, ""], strict=True))
    assert re.search(receipt_pattern(), text)
    normalize_receipt(text)


def test_the_required_text_pattern_refuses_exactly_what_drf_calls_blank() -> None:
    """Every code point, alone and padded with spaces: the documented pattern, read as a JSON
    Schema validator reads it (ECMA-262 classes, not Python's), and DRF's required CharField
    (trimmed with `str.strip()`) agree on what is blank. A reason of only U+001D was a 400 that
    the schema called valid: Python's `\\s` matches it, JSON Schema's does not."""
    import jsonschema_rs  # the validator schemathesis checks requests with
    from rest_framework import serializers

    from portal.schema import NOT_BLANK

    documented = jsonschema_rs.validator_for({"type": "string", "pattern": NOT_BLANK})
    field = serializers.CharField()
    disagreements = []
    for point in range(1, sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:  # surrogates are not text JSON can carry
            continue
        text = f" {chr(point)} "
        try:
            field.run_validation(text)
        except serializers.ValidationError:
            accepted = False
        else:
            accepted = True
        if documented.is_valid(text) != accepted:
            disagreements.append(hex(point))
    assert disagreements == []


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_receipt_pattern_refuses_exactly_what_the_vault_refuses(text: str) -> None:
    try:
        normalize_receipt(text)
    except InvalidReceipt:
        accepted = False
    else:
        accepted = True
    assert (re.search(receipt_pattern(), text) is not None) == accepted


def test_the_multipart_tip_ignores_parts_nobody_reads(client: Client, recovery_key) -> None:
    response = client.post(
        "/api/v1/tips/",
        {
            "what": "other",
            "description": "A van parks behind the motel every night.",
            "immediate_danger": "no",
            "minor_involved": "no",
            "send": "Send",
        },
    )
    assert response.status_code == 201, response.content


def test_the_json_tip_names_an_unknown_field(client: Client, recovery_key) -> None:
    response = client.post(
        "/api/v1/tips/",
        {
            "what": "other",
            "description": "x",
            "immediate_danger": "no",
            "minor_involved": "no",
            "colour": "red",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["fields"]


def test_the_staff_api_refuses_form_bodies_with_415(investigator, tip) -> None:
    api = sign_in(Client(), investigator)
    response = api.post(f"/api/v1/triage/tips/{tip.code}/notes/", {"body": "a note"})
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_assigning_to_an_unknown_investigator_is_a_404_naming_the_field(supervisor, tip) -> None:
    api = sign_in(Client(), supervisor)
    response = api.post(
        f"/api/v1/triage/tips/{tip.code}/assign/",
        {"assignee": "nobody-by-this-name", "reason": "Covering the area this week."},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert "assignee" in response.json()["error"]["fields"]


@override_settings(DEBUG=True)
def test_an_unmatched_api_address_is_json_even_with_debug_on(client: Client) -> None:
    response = client.get("/api/v1/triage/tips/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
