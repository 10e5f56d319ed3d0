"""POST /api/v1/tips/ with an Idempotency-Key: a retry after a lost response gets the same answer
(the same receipt) and stores no second tip."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.factories import image
from tests.tips.payloads import api_tip
from tips.models import Attachment, SubmissionRetry, Tip

pytestmark = pytest.mark.django_db


def _post(client, body, key, **extra):
    return client.post(
        "/api/v1/tips/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **extra
    )


def test_it_answers_a_retry_with_the_same_receipt(client, recovery_key):
    key = secrets.token_urlsafe(16)  # 128 bits, 22 characters

    first = _post(client, api_tip(), key)
    again = _post(client, api_tip(), key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Tip.objects.count() == 1


def _photo():
    return image("blue", (20, 20), name="van.jpg")


def test_it_stores_one_tip_for_a_retried_upload(client, recovery_key):
    key = secrets.token_hex(16)
    body = api_tip()
    body["identifiers"] = json.dumps(body["identifiers"])
    body["contact"] = json.dumps(body["contact"])
    first = client.post(
        "/api/v1/tips/", {**body, "attachments": [_photo()]}, HTTP_IDEMPOTENCY_KEY=key
    )
    again = client.post(
        "/api/v1/tips/", {**body, "attachments": [_photo()]}, HTTP_IDEMPOTENCY_KEY=key
    )

    assert first.status_code == again.status_code == 201, first.content
    assert again.json()["receipt"] == first.json()["receipt"]
    assert Tip.objects.count() == 1 and Attachment.objects.count() == 1


def test_it_refuses_a_key_reused_for_another_submission(client, recovery_key):
    key = secrets.token_urlsafe(16)
    _post(client, api_tip(), key)

    response = _post(client, api_tip(description="A different report altogether"), key)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Tip.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 21, "has spaces in it 0123456789", "é" * 30])
def test_it_names_the_header_when_the_key_is_too_weak(client, recovery_key, key):
    response = _post(client, api_tip(), key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Tip.objects.exists()


def test_without_a_key_each_post_is_a_tip(client, recovery_key):
    client.post("/api/v1/tips/", api_tip(), content_type="application/json")
    client.post("/api/v1/tips/", api_tip(), content_type="application/json")

    assert Tip.objects.count() == 2 and not SubmissionRetry.objects.exists()
