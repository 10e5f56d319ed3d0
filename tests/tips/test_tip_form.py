from __future__ import annotations

import io
import re

from tests.factories import image
from tests.readers import read_tip
from tests.tips.payloads import form_tip
from tips.forms import new_submission_token
from tips.models import Attachment, Tip

RECEIPT = re.compile(r'<code id="receipt">([0-9A-Z-]{23})</code>')


def test_it_shows_the_911_guidance_before_the_first_question(client, recovery_key):
    page = client.get("/tip/").content.decode()

    assert page.index("call 911 now") < page.index('name="what"')
    assert "IP address" in page
    assert "No single sign is proof" in page


def test_it_groups_the_indicators_as_the_blue_campaign_does(client, recovery_key):
    page = client.get("/tip/").content.decode()

    for group in ("Signs of control", "Working and living conditions", "Travel and documents",
                  "Behaviour"):  # fmt: skip
        assert f"<legend>{group}</legend>" in page
    assert "race" not in page.replace("Please do not describe race or ethnicity", "").lower()


def test_it_stores_the_tip_and_shows_the_receipt_once_at_the_same_url(client, desk_reader):
    response = client.post("/tip/", form_tip())

    assert response.status_code == 201
    receipt = RECEIPT.search(response.content.decode()).group(1)
    tip = Tip.objects.get()
    assert read_tip(tip, desk_reader)["description"].startswith("Girls who look fifteen")
    assert "Location" not in response  # no redirect carrying anything
    assert receipt and "Keep this code safe" in response.content.decode()


def test_it_sets_no_cookie_that_outlives_the_browser_session(client, recovery_key):
    client.get("/tip/")
    response = client.post("/tip/", form_tip())

    for morsel in list(client.cookies.values()) + list(response.cookies.values()):
        assert not morsel["expires"] and not morsel["max-age"], morsel.OutputString()
    assert "sessionid" not in client.cookies and "session" not in client.cookies


def test_it_keeps_everything_typed_when_a_field_is_wrong(client, recovery_key):
    data = form_tip(description="", contact_email="not-an-email", people="Tall & <b>bold</b>")
    response = client.post("/tip/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Please check the marked answers." in page
    assert "Starlite Motel, Route 7" in page
    assert "Tall &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "not-an-email" in page
    assert (
        'value="controlled_by_other" checked'
        in page.replace('" id', '"').replace(' id="id_indicators_0"', "")
        or "checked" in page
    )
    assert not Tip.objects.exists()


def test_it_asks_to_choose_files_again_after_an_error(client, recovery_key):
    photo = image("black", (10, 10), format="PNG", name="photo.png")
    response = client.post("/tip/", {**form_tip(description=""), "attachments": [photo]})

    assert response.status_code == 400
    assert "Please choose your files again" in response.content.decode()


def test_it_refuses_a_file_that_is_not_what_its_name_says(client, recovery_key):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.jpg"
    response = client.post("/tip/", {**form_tip(), "attachments": [fake]})

    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()
    assert not Tip.objects.exists()


def test_it_stores_cleaned_attachments(client, recovery_key):
    photo = image("black", (10, 10), format="PNG", name="photo.png")
    response = client.post("/tip/", {**form_tip(), "attachments": [photo]})

    assert response.status_code == 201
    assert Attachment.objects.get().variant == "cleaned"


def test_it_refuses_a_filled_honeypot_and_keeps_the_report(client, recovery_key):
    response = client.post("/tip/", form_tip(homepage="http://spam.example"))

    assert response.status_code == 400
    assert "Room 214".lower() in response.content.decode().lower()
    assert not Tip.objects.exists()


def test_it_shows_the_first_receipt_again_when_the_form_is_sent_again(client, recovery_key):
    token = new_submission_token()
    first = client.post("/tip/", form_tip(submission_token=token))
    again = client.post("/tip/", form_tip(submission_token=token))  # a lost response, a resend

    assert first.status_code == again.status_code == 201
    assert first.context["receipt"] == again.context["receipt"]
    assert Tip.objects.count() == 1


def test_it_takes_an_edited_resend_as_a_new_report(client, recovery_key):
    token = new_submission_token()
    first = client.post("/tip/", form_tip(submission_token=token))
    edited = client.post("/tip/", form_tip(submission_token=token, plates="KS 123 ABC"))

    assert edited.status_code == 201
    assert first.context["receipt"] != edited.context["receipt"]
    assert Tip.objects.count() == 2


def test_it_ignores_a_token_the_server_did_not_make(client, recovery_key):
    made_up = "a" * 40  # e.g. a page elsewhere handing the same token to everyone
    first = client.post("/tip/", form_tip(submission_token=made_up))
    again = client.post("/tip/", form_tip(submission_token=made_up))

    assert first.context["receipt"] != again.context["receipt"]
    assert Tip.objects.count() == 2


def test_it_asks_for_a_way_to_reach_someone_who_wants_to_be_contacted(client, recovery_key):
    response = client.post("/tip/", form_tip(may_contact="yes"))

    assert response.status_code == 400
    assert "give a phone number or an email" in response.content.decode()


def test_it_serves_the_form_in_spanish(client, recovery_key):
    page = client.get("/es/tip/").content.decode()

    assert '<html lang="es">' in page
    assert "Enviar" in page


def test_it_records_the_language_of_the_page(client, recovery_key):
    client.post("/es/tip/", form_tip())

    assert Tip.objects.get().language == "es"


def test_it_refuses_other_methods(client, recovery_key):
    assert client.put("/tip/").status_code == 405
