"""JSON nested deeper than any honest body is a 400 with the error shape, never a 500."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from portal.parsers import MAX_JSON_DEPTH

pytestmark = pytest.mark.django_db
ENDPOINTS = ["/api/v1/tips/", "/api/v1/follow-up/", "/api/v1/auth/login/"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 10_000, 100_000])
def test_it_refuses_json_nested_too_deeply(path, levels, caplog) -> None:
    body = "[" * levels + "]" * levels

    with caplog.at_level(logging.ERROR):
        response = Client().post(path, body, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert "nested too deeply" in error["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_it_takes_json_as_deep_as_the_limit() -> None:
    nested: object = "x"
    for _ in range(MAX_JSON_DEPTH - 1):
        nested = [nested]
    response = Client().post(
        "/api/v1/follow-up/", {"receipt": nested}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "receipt" in response.json()["error"]["fields"]  # parsed, then refused as a field
