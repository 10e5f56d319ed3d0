from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from tests.factories import image
from tests.readers import read_tip
from tests.tips.payloads import api_tip
from tips.models import Attachment, Tip


def post(data, **kwargs):
    return Client().post("/api/v1/tips/", data, content_type="application/json", **kwargs)


def test_it_takes_a_json_tip_and_answers_with_a_receipt(desk_reader):
    response = post(api_tip())

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "received"
    assert len(body["receipt"]) == 23
    tip = Tip.objects.get()
    content = read_tip(tip, desk_reader)
    assert content["identifiers"]["handles"] == ["@sunrise_jobs"]
    assert content["contact"]["may_contact"] is True
    assert tip.area == "olathe" and tip.language == "en"


def test_it_takes_multipart_with_attachments_and_nested_json(recovery_key):
    photo = image("blue", (20, 20), name="ad.jpg")
    data = api_tip()
    data["identifiers"] = json.dumps(data["identifiers"])
    data["contact"] = json.dumps(data["contact"])
    response = Client().post("/api/v1/tips/", {**data, "attachments": [photo]})

    assert response.status_code == 201, response.content
    assert Attachment.objects.get().content_type == "image/jpeg"
    assert Tip.objects.get().identifier_count > 0


def test_it_accepts_a_minimal_tip(recovery_key):
    response = post(
        {"what": "other", "description": "x", "immediate_danger": "no", "minor_involved": "no"}
    )

    assert response.status_code == 201


def test_it_serves_the_area_list():
    response = Client().get("/api/v1/areas/")

    assert response.status_code == 200
    codes = [area["code"] for area in response.json()["results"]]
    assert "olathe" in codes
    assert set(response.json()["results"][0]) == {"code", "name"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"what": "not_trafficking"}, "what"),
        ({"what": "<script>"}, "what"),
        ({"description": ""}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"description": 42}, "description"),
        ({"description": ["a", "b"]}, "description"),
        ({"immediate_danger": True}, "immediate_danger"),
        ({"minor_involved": "maybe"}, "minor_involved"),
        ({"location": "y" * 2_001}, "location"),
        ({"area": "atlantis"}, "area"),
        ({"area": "'; DROP TABLE tips_tip; --"}, "area"),
        ({"identifiers": {"phones": ["1"] * 21}}, "identifiers"),
        ({"identifiers": {"phones": "913-555-0142"}}, "identifiers"),
        ({"identifiers": {"phones": ["9" * 201]}}, "identifiers"),
        ({"indicators": ["made_up"]}, "indicators"),
        ({"contact": {"email": "nope"}}, "contact"),
        ({"contact": "call me"}, "contact"),
        ({"language": "fr"}, "language"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_it_refuses_hostile_or_malformed_fields_with_a_clear_400(recovery_key, overrides, field):
    response = post(api_tip(**overrides))

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Tip.objects.exists()


def test_it_stores_html_and_sql_as_the_text_they_are(desk_reader):
    hostile = "<img src=x onerror=alert(1)> '); DELETE FROM tips_tip; --"
    response = post(api_tip(description=hostile, people=hostile))

    assert response.status_code == 201
    assert read_tip(Tip.objects.get(), desk_reader)["description"] == hostile


@pytest.mark.parametrize("body", ["[]", '"text"', "{", "null"])
def test_it_refuses_a_body_that_is_not_a_json_object(recovery_key, body):
    response = Client().post("/api/v1/tips/", body, content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()


def test_it_refuses_an_unsupported_content_type(recovery_key):
    response = Client().post("/api/v1/tips/", "<tip/>", content_type="application/xml")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_it_refuses_a_body_over_the_limit_with_413(recovery_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(api_tip(description="z" * 12_000))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_it_refuses_a_file_that_is_not_what_its_name_says(recovery_key):
    fake = io.BytesIO(b"MZ\x90\x00 not an image")
    fake.name = "evidence.png"
    data = api_tip()
    data.pop("identifiers")
    data.pop("contact")
    response = Client().post("/api/v1/tips/", {**data, "attachments": [fake]})

    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not Tip.objects.exists()


def test_it_ignores_a_staff_session_and_needs_no_csrf_token(recovery_key):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/tips/", api_tip(), content_type="application/json")

    assert response.status_code == 201


def test_it_refuses_get_on_the_tip_endpoint():
    response = Client().get("/api/v1/tips/")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def _png(size: int) -> io.BytesIO:
    out = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(out, "PNG")
    out.name = "noise.png"
    out.seek(0)
    return out


def test_it_reports_a_file_over_the_limit_next_to_the_field(recovery_key, settings):
    settings.TIP_ATTACHMENT_MAX_BYTES = 2_000
    data = api_tip()
    data.pop("identifiers")
    data.pop("contact")

    response = Client().post("/api/v1/tips/", {**data, "attachments": [_png(32)]})

    assert response.status_code == 400
    assert "too big" in " ".join(response.json()["error"]["fields"]["attachments"])
    assert not Tip.objects.exists()


def test_it_answers_a_request_far_over_the_file_limits_with_413(recovery_key, settings):
    settings.TIP_ATTACHMENT_MAX_BYTES = 2_000
    settings.TIP_ATTACHMENT_MAX_COUNT = 1
    files = [_png(64) for _ in range(3)]

    response = Client().post("/api/v1/tips/", {**api_tip(identifiers="{}", contact="{}"),
                                               "attachments": files})  # fmt: skip

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
