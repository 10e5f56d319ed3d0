"""A multipart body that ends inside a file part (no closing boundary): a 400 naming the files,
never a 201 that silently drops the photo."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import image
from tests.tips.payloads import api_tip, form_tip
from tips.models import Tip

pytestmark = pytest.mark.django_db
BOUNDARY = "cut-off-boundary-0123"


def _cut_off_body(fields: dict[str, str]) -> bytes:
    photo = image("blue", (20, 20))
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
        'filename="van.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    )
    return "".join(parts).encode() + head.encode() + photo.getvalue()  # no closing boundary


def _post(path: str, body: bytes):
    return Client(raise_request_exception=False).generic(
        "POST", path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_refuses_a_body_cut_off_inside_a_file(recovery_key, settings, debug) -> None:
    settings.DEBUG = debug
    data = api_tip()
    data.pop("indicators")
    data["identifiers"] = json.dumps(data["identifiers"])
    data["contact"] = json.dumps(data["contact"])

    response = _post("/api/v1/tips/", _cut_off_body(data))

    assert response.status_code == 400
    assert "cut off" in response.json()["error"]["fields"]["attachments"][0]
    assert not Tip.objects.exists()


def test_the_form_refuses_a_body_cut_off_inside_a_file(recovery_key) -> None:
    fields = {name: value for name, value in form_tip().items() if isinstance(value, str)}

    response = _post("/tip/", _cut_off_body(fields))

    assert response.status_code == 400
    assert not Tip.objects.exists()
