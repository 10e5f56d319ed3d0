"""The Spanish catalog is complete, keeps its placeholders, and the public pages come out Spanish.

The pages are rendered from the compiled catalog (`manage.py compile_translations`, run by
`make test`); the .po file is what is committed and what the first tests read.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client

from tests.tips.payloads import form_tip

PO_FILE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)([a-z])")
RECEIPT = re.compile(r'<code id="receipt">([0-9A-Z-]{23})</code>')
STALE_HINT = "is the .mo stale? run `manage.py compile_translations`"


def _catalog() -> Catalog:
    with PO_FILE.open("rb") as po_file:
        return read_po(po_file)


def _messages() -> list[Message]:
    return [message for message in _catalog() if message.id]


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _placeholders(text: str) -> set[tuple[str, str]]:
    return set(PLACEHOLDER.findall(text))


def _page(response) -> str:
    assert response.status_code in (200, 201), response.status_code
    return response.content.decode()


def _assert_spanish(body: str, spanish: list[str], english: list[str]) -> None:
    assert '<html lang="es">' in body
    missing = [text for text in spanish if text not in body]
    assert not missing, f"Spanish text missing ({STALE_HINT}): {missing}"
    left = [text for text in english if text in body or html.escape(text) in body]
    assert not left, f"English text on a Spanish page ({STALE_HINT}): {left}"


def test_it_has_a_spanish_catalog_with_plural_forms() -> None:
    catalog = _catalog()

    assert str(catalog.locale) == "es"
    assert catalog.num_plurals == 2
    assert len(_messages()) > 200


def test_it_translates_every_message() -> None:
    untranslated = [message.id for message in _messages() if not all(_forms(message.string))]
    fuzzy = [message.id for message in _messages() if message.fuzzy]

    assert not untranslated, f"{len(untranslated)} untranslated in {PO_FILE}: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check, then drop the flag): {fuzzy}"


def test_it_keeps_the_placeholders_of_every_message() -> None:
    wrong = [
        (message.id, form)
        for message in _messages()
        for form in _forms(message.string)
        if form and _placeholders(form) != _placeholders(_forms(message.id)[-1])
    ]

    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_it_keeps_the_hotline_wording() -> None:
    strings = {message.id: message.string for message in _messages()}

    assert "llame al 911" in strings["In an emergency, call 911."]
    assert "llame al 911" in strings["If someone is in danger right now, call 911."]
    assert (
        "Línea Nacional contra la Trata de Personas"
        in strings["National Human Trafficking Hotline: 1-888-373-7888, or text 233733."]
    )
    assert (
        "envíe un mensaje de texto al 233733"
        in strings["National Human Trafficking Hotline: 1-888-373-7888, or text 233733."]
    )
    assert strings["Send report"] == "Enviar reporte"


PAGES = {
    "/es/": (
        ["llame al 911", "Reportar algo", "Necesito ayuda", "Consultar un reporte",
         "Línea Nacional contra la Trata de Personas", "Salida rápida"],
        ["call 911", "Report something", "I need help", "Check on a report",
         "What would you like to do?", "Quick exit"],
    ),
    "/es/tip/": (
        ["Reporte algo que vio", "¿Qué pasó?", "Enviar reporte", "Señales de control",
         "¿Alguna de las personas involucradas es menor de 18 años?", "código de recibo"],
        ["Report something you saw", "What happened?", "Send report", "Signs of control",
         "Is anyone involved under 18?", "receipt code"],
    ),
    "/es/help/": (
        ["Usted no está en problemas. La ayuda es gratuita.", "Pida ayuda aquí",
         "¿Es menor de 18 años?", "envíe un mensaje de texto al", "Enviar"],
        ["You are not in trouble", "Ask for help here", "Are you under 18?", "or text"],
    ),
    "/es/follow-up/": (
        ["Consultar un reporte", "Su código de recibo", "Abrir"],
        ["Check on a report", "Your receipt code", "Enter the receipt code"],
    ),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_it_serves_the_public_pages_in_spanish(client: Client, url: str) -> None:
    spanish, english = PAGES[url]

    _assert_spanish(_page(client.get(url)), spanish, english)


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_it_leaves_no_english_sentence_on_the_spanish_pages(client: Client, url: str) -> None:
    body = _page(client.get(url))
    sentences = [
        message.id
        for message in _messages()
        if isinstance(message.id, str)
        and len(message.id.split()) >= 3
        and message.string != message.id
    ]

    left = [text for text in sentences if text in body or html.escape(text) in body]
    assert not left, f"English text on {url} ({STALE_HINT}): {left}"


def test_it_confirms_a_spanish_tip_in_spanish(client: Client, recovery_key) -> None:
    body = _page(client.post("/es/tip/", form_tip()))

    assert RECEIPT.search(body)
    _assert_spanish(
        body,
        ["Gracias. Recibimos su reporte.", "Su código de recibo:",
         "Guarde este código en un lugar seguro", "Consultar un reporte"],
        ["Thank you. We received your report.", "Your receipt code:", "Keep this code safe",
         "Check on a report"],
    )  # fmt: skip


def test_it_explains_form_errors_in_spanish(client: Client, recovery_key) -> None:
    response = client.post("/es/tip/", form_tip(description="", may_contact="yes"))

    assert response.status_code == 400
    _assert_spanish(
        response.content.decode(),
        ["Revise las respuestas marcadas.", "Todo lo que escribió sigue aquí.",
         "escriba un número de teléfono o un correo electrónico"],
        ["Please check the marked answers.", "Everything you typed is still here.",
         "To be contacted"],
    )  # fmt: skip


def test_it_shows_the_tipster_thread_in_spanish(client: Client, recovery_key) -> None:
    receipt = RECEIPT.search(_page(client.post("/es/tip/", form_tip()))).group(1)

    body = _page(client.post("/es/follow-up/", {"receipt": receipt}))

    _assert_spanish(
        body,
        ["Su reporte", "Estado:", "Recibido", "Todavía no hay mensajes", "Enviar"],
        ["Your report", "Status:", "No messages yet", "Add information or reply"],
    )
