"""Too many files on POST /api/v1/tips/: a 413 with the error shape naming `attachments`, with
DEBUG on or off (never Django's debug page or plain text)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from tests.tips.payloads import api_tip
from tips.models import Tip

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_it_answers_too_many_files_with_the_error_shape(recovery_key, settings, debug) -> None:
    settings.DEBUG = debug
    data = api_tip()
    data["identifiers"] = json.dumps(data["identifiers"])
    data["contact"] = json.dumps(data["contact"])
    files = []
    for number in range(40):
        part = io.BytesIO(b"x" * 10)
        part.name = f"photo-{number}.jpg"
        files.append(part)

    response = Client(raise_request_exception=False).post(
        "/api/v1/tips/", {**data, "attachments": files}
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "Too many files" in error["fields"]["attachments"][0]
    assert not Tip.objects.exists()
