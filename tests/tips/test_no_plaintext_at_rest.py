"""After a realistic workload, nothing a tipster typed is in the database or in storage."""

from __future__ import annotations

import io
import re

from django.test import Client

from tests.factories import image, investigator_says
from tests.readers import database_text
from tests.tips.payloads import api_tip, form_tip
from tips.forms import new_submission_token
from tips.models import SubmissionRetry, Tip

TYPED = {
    "description": "Quetzalcoatl Laundromat keeps twelve women upstairs",
    "location": "4471 Zinfandel Parkway",
    "people": "Supervisor nicknamed Barracuda Jones",
    "vehicles": "Mustard-yellow Pontiac Aztek",
    "when": "Saturdays after the Lumberjack festival",
    "phone": "(913) 555-0177",
    "email": "barracuda.payroll@example.net",
    "handle": "@barracuda_hires",
    "url": "https://aztek-jobs.example.org/listing/991",
    "plate": "KS QZX 4471",
    "contact_name": "Philomena Birdwhistle",
    "contact_phone": "816-555-0163",
    "contact_email": "philomena.birdwhistle@example.com",
    "best_time": "after choir practice",
    "reply": "The Aztek parks behind the Kwik Trip",
    "question": "Which floor do the women stay on?",
    "help_need": "I need a place to sleep away from Barracuda",
    "safe_contact": "text 913-555-0199 only before noon",
    "file_name": "Birdwhistle_phone_photo.jpg",
    "exif_make": "Birdwhistle-Camera-Co",
}
# The client secrets that seal a copy of the receipt for a retry (form token, Idempotency-Key).
RETRY_KEYS = [new_submission_token(), "api-key-Hs3Jd5Kf7Lg9Qw2Er4Ty6Ui"]
# What the identifiers normalise to must not be there either.
NORMALISED = ["+19135550177", "barracuda_hires", "aztek-jobs.example.org", "KSQZX4471"]


def _photo() -> io.BytesIO:
    make = 0x010F  # the camera maker's EXIF tag
    return image("green", name=TYPED["file_name"], exif={make: TYPED["exif_make"]})


def _workload() -> list[str]:
    client = Client()
    receipts = []
    web = form_tip(
        description=TYPED["description"],
        location=TYPED["location"],
        people=TYPED["people"],
        vehicles=TYPED["vehicles"],
        when=TYPED["when"],
        phones=TYPED["phone"],
        emails=TYPED["email"],
        handles=TYPED["handle"],
        urls=TYPED["url"],
        plates=TYPED["plate"],
        contact_name=TYPED["contact_name"],
        contact_phone=TYPED["contact_phone"],
        contact_email=TYPED["contact_email"],
        contact_best_time=TYPED["best_time"],
        may_contact="yes",
        submission_token=RETRY_KEYS[0],
    )
    response = client.post("/tip/", {**web, "attachments": [_photo()]})
    assert response.status_code == 201, response.content
    receipts.append(re.search(r'id="receipt">([^<]+)<', response.content.decode()).group(1))
    api = api_tip(description=TYPED["description"] + " (sent again by API)")
    response = client.post(
        "/api/v1/tips/", api, content_type="application/json", HTTP_IDEMPOTENCY_KEY=RETRY_KEYS[1]
    )
    receipts.append(response.json()["receipt"])
    response = client.post(
        "/help/", {"need": TYPED["help_need"], "safe_contact": TYPED["safe_contact"]}
    )
    assert response.status_code == 201, response.content
    receipts.append(re.search(r'id="receipt">([^<]+)<', response.content.decode()).group(1))
    investigator_says(Tip.objects.order_by("pk").first(), TYPED["question"])
    response = client.post(
        "/api/v1/follow-up/messages/",
        {"receipt": receipts[0], "body": TYPED["reply"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    return receipts


def _needles(receipts: list[str]) -> list[str]:
    words = list(TYPED.values())
    # Distinctive single words too, so a value split or re-encoded still gets caught.
    words += ["Quetzalcoatl", "Zinfandel", "Barracuda", "Aztek", "Birdwhistle", "Philomena"]
    compact = [receipt.replace("-", "") for receipt in receipts]
    return words + NORMALISED + RETRY_KEYS + receipts + compact


def test_it_keeps_no_typed_text_in_the_database_or_storage(recovery_key, private_storage):
    receipts = _workload()

    dump = database_text()
    assert Tip.objects.count() == 3 and len(dump) > 10_000
    assert SubmissionRetry.objects.count() == 2  # the receipts are there, sealed
    stored = b"".join(path.read_bytes() for path in private_storage.rglob("*") if path.is_file())
    assert stored, "the photo's ciphertext should be in storage"
    for needle in _needles(receipts):
        for variant in {needle, needle.lower(), needle.upper()}:
            assert variant not in dump, f"{variant!r} found in the database"
            assert variant.encode() not in stored, f"{variant!r} found in storage"
            assert variant.encode("utf-16-le") not in stored
