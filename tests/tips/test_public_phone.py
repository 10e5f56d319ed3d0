"""The public side as a frightened person on a phone meets it: nothing typed is lost when a
cookie is missing, the language follows the phone, numbers can be tapped, and the receipt can
be kept."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.test import Client

from tests.tips.payloads import form_tip
from tips.forms import new_submission_token
from tips.models import Tip

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r'<code id="receipt">([0-9A-Z-]{23})</code>')
ORIGIN = "http://testserver"


# --- 1. Nothing typed is lost when the CSRF cookie is missing ---------------------------------


def strict() -> Client:
    """A browser that checks CSRF like a real one, with no cookies at all."""
    return Client(enforce_csrf_checks=True)


def test_the_tip_form_works_without_any_cookie_when_the_origin_is_ours(recovery_key):
    response = strict().post("/tip/", form_tip(), headers={"Origin": ORIGIN})

    assert response.status_code == 201
    assert Tip.objects.count() == 1
    assert RECEIPT.search(response.content.decode())


def test_the_help_and_follow_up_forms_work_without_any_cookie(recovery_key):
    help_page = strict().post(
        "/help/", {"need": "A safe place tonight"}, headers={"Origin": ORIGIN}
    )
    assert help_page.status_code == 201
    receipt = RECEIPT.search(help_page.content.decode()).group(1)

    thread = strict().post("/follow-up/", {"receipt": receipt}, headers={"Origin": ORIGIN})
    assert thread.status_code == 200
    reply = strict().post(
        "/follow-up/reply/", {"receipt": receipt, "body": "After 6pm"}, headers={"Origin": ORIGIN}
    )
    assert reply.status_code == 303


@pytest.mark.parametrize(
    ("prefix", "explanation", "hotline"),
    [
        ("", "Everything you typed is still here", "1-888-373-7888"),
        ("/es", "Todo lo que escribió sigue aquí", "1-888-373-7888"),
    ],
)
@pytest.mark.parametrize("origin", [None, "https://elsewhere.example"])
def test_a_refused_tip_comes_back_with_everything_typed(
    recovery_key, prefix, explanation, hotline, origin
):
    data = form_tip(description="The van at the Sunrise Spa again", people="Tío, about 40")
    headers = {"Origin": origin} if origin else {}

    response = strict().post(f"{prefix}/tip/", data, headers=headers)

    page = response.content.decode()
    assert response.status_code == 403
    assert not Tip.objects.exists()
    assert "CSRF" not in page and "Forbidden" not in page
    assert "The van at the Sunrise Spa again" in page
    assert "Tío, about 40" in page
    assert re.search(rf'value="{data["what"]}"[^>]*checked', page)
    assert explanation in page
    assert f'href="tel:+18883737888">{hotline}' in page
    assert 'id="quick-exit"' in page
    assert 'class="errorlist' not in page  # nothing was checked, so nothing is marked wrong


def test_a_refused_tip_says_plainly_that_files_must_be_chosen_again(recovery_key):
    from tests.factories import image

    data = form_tip(attachments=image(name="photo.jpg"))
    page = strict().post("/tip/", data).content.decode()

    assert "please choose your files again" in page


def test_a_refused_help_request_and_follow_up_come_back_filled_in(recovery_key):
    help_page = strict().post("/es/help/", {"need": "Un lugar seguro"}).content.decode()
    assert "Un lugar seguro" in help_page and "Todo lo que escribió sigue aquí" in help_page

    receipt = strict().post("/follow-up/", {"receipt": "ABCDE-FGHJK"}).content.decode()
    assert 'value="ABCDE-FGHJK"' in receipt

    reply = strict().post("/follow-up/reply/", {"receipt": "ABCDE", "body": "Red car"})
    page = reply.content.decode()
    assert reply.status_code == 403
    assert "Red car" in page and 'value="ABCDE"' in page
    assert 'action="/follow-up/reply/"' in page


def test_a_refused_staff_form_gets_the_site_page_not_djangos(db):
    response = strict().post("/staff/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF verification failed" not in page
    assert "reload the page and try again" in page


# --- 2. Phone first ---------------------------------------------------------------------------


def test_the_four_required_questions_come_first_and_are_marked(client, recovery_key):
    page = client.get("/tip/").content.decode()
    form = page[page.index("<form") :]

    assert form.count("(required)") == 4
    first_section = form.index("<details")
    for name in ("what", "immediate_danger", "minor_involved", "description"):
        assert form.index(f'name="{name}"') < first_section
    for name in ("people", "phones", "indicators", "attachments", "contact_name", "location"):
        assert form.index(f'name="{name}"') > first_section
    assert form.count('<details class="section"') == 6
    assert "Helps connect reports about the same people." in form


def test_the_inputs_bring_up_the_right_keyboard(client, recovery_key):
    page = client.get("/tip/").content.decode()

    assert re.search(r'<input type="tel" name="contact_phone"[^>]*inputmode="tel"', page)
    assert re.search(r'<input type="email" name="contact_email"[^>]*inputmode="email"', page)


def test_a_section_with_an_answer_opens_when_the_form_comes_back(client, recovery_key):
    page = client.post("/tip/", {"people": "Tío", "recency": "unknown"}).content.decode()

    assert '<details class="section" open id="section-people">' in page
    assert '<details class="section" id="section-identifiers">' in page
    assert '<details class="section" id="section-where">' in page  # "unknown" is the default


# --- 3. Errors are impossible to miss ---------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", "Tell us in a few words what you saw or heard"),
        ("/es", "Cuéntenos en pocas palabras lo que vio u oyó"),
    ],
)
def test_the_error_summary_sits_first_and_says_what_to_do(client, recovery_key, prefix, words):
    page = client.post(f"{prefix}/tip/", {"submission_token": new_submission_token()})
    body = page.content.decode()

    assert page.status_code == 400
    assert body.index('id="form-problem"') < body.index("<form")
    assert 'href="#id_description"' in body and 'href="#id_what_0"' in body
    assert words in body
    assert "This field is required." not in body and "Este campo es obligatorio." not in body


def test_an_empty_reply_is_told_what_to_do(client, recovery_key):
    receipt = RECEIPT.search(client.post("/tip/", form_tip()).content.decode()).group(1)

    page = client.post("/es/follow-up/reply/", {"receipt": receipt, "body": ""})

    assert page.status_code == 400
    assert "Escriba su mensaje en el recuadro y luego envíelo." in page.content.decode()


# --- 4. The receipt ---------------------------------------------------------------------------


def test_the_receipt_can_be_copied_or_saved_and_says_when_to_check_back(client, recovery_key):
    page = client.post("/tip/", form_tip()).content.decode()
    receipt = RECEIPT.search(page).group(1)

    saved = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)" download="note.txt"', page)
    assert saved and receipt in unquote(saved.group(1))
    assert f'data-receipt="{receipt}"' in page and "Copy the code" in page
    assert "When to check back" in page
    assert "memorize" not in page


def test_a_reload_shows_the_same_receipt_again(client, recovery_key):
    data = form_tip(submission_token=new_submission_token())

    first = RECEIPT.search(client.post("/tip/", data).content.decode()).group(1)
    again = RECEIPT.search(client.post("/tip/", data).content.decode()).group(1)

    assert first == again and Tip.objects.count() == 1


# --- 7. Language and contact ------------------------------------------------------------------


def test_the_switch_names_each_language_in_itself(client):
    page = client.get("/").content.decode()

    assert 'lang="en">English<' in page and 'lang="es" hreflang="es">Español<' in page
    assert "Spanish" not in page


@pytest.mark.parametrize(
    ("accept", "location"),
    [("es-MX,es;q=0.9,en;q=0.5", "/es/"), ("es", "/es/")],
)
def test_a_first_visit_follows_the_phone_language(client, accept, location):
    response = client.get("/", headers={"Accept-Language": accept})

    assert (response.status_code, response["Location"]) == (302, location)
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept-Language": "en-US,en;q=0.9"},
        {"Accept-Language": "fr-FR"},
        {},
        # Picked "English" on a Spanish page: a link within the site.
        {"Accept-Language": "es", "Referer": "http://testserver/es/"},
    ],
)
def test_english_stays_english(client, headers):
    assert client.get("/", headers=headers).status_code == 200


def test_a_chosen_language_cookie_wins(client):
    client.cookies["django_language"] = "en"

    assert client.get("/", headers={"Accept-Language": "es"}).status_code == 200


def test_every_number_on_the_public_pages_can_be_tapped(client, recovery_key):
    for path in ("/", "/es/", "/tip/", "/help/", "/follow-up/", "/es/help/"):
        page = client.get(path).content.decode()
        text = re.sub(r"<a [^>]*>.*?</a>", "", page, flags=re.S)
        text = re.sub(r"<(script|head)\b.*?</\1>", "", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        for number in ("911", "1-888-373-7888", "233733"):
            assert number not in text, (path, number)
        assert 'href="tel:911"' in page


def test_the_drop_in_center_comes_from_settings(client, settings):
    settings.DROP_IN_CENTER = {
        "name": "Casa Segura",
        "address": "12 Oak St, Olathe, KS",
        "hours": "Every day 8:00-20:00",
        "phone": "+1 (913) 555-0123",
    }

    page = client.get("/help/").content.decode()

    assert "Casa Segura" in page and "12 Oak St, Olathe, KS" in page
    assert "Opening hours" in page and "Every day 8:00-20:00" in page
    assert 'href="tel:+19135550123">+1 (913) 555-0123</a>' in page


# --- 6. Quick exit and staying safe -----------------------------------------------------------


def test_the_tip_and_help_pages_link_the_staying_safe_note(client, recovery_key):
    for path in ("/tip/", "/help/"):
        page = client.get(path).content.decode()
        assert "Staying safe while you use this site" in page
        assert "private or incognito window" in page
    assert 'aria-describedby="quick-exit-hint"' in page
