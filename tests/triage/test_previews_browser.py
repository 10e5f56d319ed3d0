"""Photo previews in Debian's chromium: the thumbnails load with JavaScript off, open at full
size under the sandbox policy, and the tip page with photos has no accessibility violation."""

from __future__ import annotations

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from audit import Action
from tests.browsing import sign_in_page
from tests.factories import image
from tests.readers import events
from tests.triage.test_previews import pdf
from tips import followup
from tips.attachments import clean_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXIF = {0x010F: "Maria's phone maker"}


@pytest.fixture
def tip_with_photos(submit):
    """Two photos sent with the tip (the first with its original kept), a PDF, and a photo
    added with a reply."""
    sent = (
        clean_upload("van.jpg", image("red", (64, 48), exif=EXIF).getvalue(), keep_original=True),
        clean_upload("plate.png", image("blue", (40, 30), format="PNG").getvalue()),
        pdf(),
    )
    tip, receipt = submit(attachments=sent)
    later = clean_upload("motel.png", image("green", (30, 40), format="PNG").getvalue())
    followup.add_information(receipt, "The motel on Route 7.", [later])
    return tip


@pytest.fixture
def one_request_at_a_time(live_server):
    """The live server's threads share the test database's one in-memory SQLite connection,
    which cannot take two writers at once, and the browser asks for the photos together (each
    preview writes an audit entry): the server answers them one after the other."""
    server = live_server.thread.httpd
    app = server.get_app()
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            return app(environ, start_response)

    server.set_app(serialized)
    yield
    server.set_app(app)


def _open(browser, live_server, user, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    page.on("requestfailed", lambda request: refused.append(request.url))
    sign_in_page(page, live_server, user)
    return context, page, refused


def _preview_path(tip, content_type: str) -> str:
    """The preview of the one photo of that type sent with the tip."""
    row = tip.attachments.filter(message=None, content_type=content_type).get()
    return f"/triage/tips/{tip.code}/attachments/{row.code}/preview/"


def _thumbnails(page: Page):
    return page.locator("section[aria-labelledby=files-title] img")


def test_the_thumbnails_load_without_javascript(
    browser, live_server, one_request_at_a_time, investigator, tip_with_photos
):
    tip = tip_with_photos
    context, page, refused = _open(browser, live_server, investigator, javascript=False)
    try:
        page.goto(f"{live_server.url}/triage/tips/{tip.code}/")
        thumbnails = _thumbnails(page)
        expect(thumbnails).to_have_count(3)  # no thumbnail of the original or the PDF
        expect(page.get_by_role("img", name="Photo 1 sent with the tip")).to_be_visible()
        expect(page.get_by_role("img", name="Photo 2 sent with the tip")).to_be_visible()
        expect(
            page.get_by_role("img", name="Photo 3 added with a tipster reply on", exact=False)
        ).to_be_visible()
        for thumbnail in thumbnails.all():
            thumbnail.scroll_into_view_if_needed()
            expect(thumbnail).to_have_js_property("complete", True)
            assert thumbnail.evaluate("img => img.naturalWidth") > 0
            box = thumbnail.bounding_box()
            assert box is not None and (box["width"], box["height"]) == (160, 120)
        assert len(events(Action.ATTACHMENT_PREVIEWED, tip)) == 3
        assert refused == []

        # At full size: the photo alone, under the sandbox policy, still shown. The policy
        # refuses only the inline style of chromium's own image viewer (it centres the photo).
        page.get_by_role("link", name="Photo 2 sent with the tip").click()
        expect(page).to_have_url(f"{live_server.url}{_preview_path(tip, 'image/png')}")
        full = page.locator("img")
        expect(full).to_have_count(1)
        expect(full).to_have_js_property("complete", True)
        assert full.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [40, 30]
        assert all(text.startswith("Applying inline style violates") for text in refused)
        assert len(events(Action.ATTACHMENT_PREVIEWED, tip)) == 4
    finally:
        context.close()


def test_the_tip_page_with_photos_passes_axe(
    browser, live_server, one_request_at_a_time, investigator, tip_with_photos
):
    context, page, refused = _open(browser, live_server, investigator, javascript=True)
    try:
        page.goto(f"{live_server.url}/triage/tips/{tip_with_photos.code}/")
        for thumbnail in _thumbnails(page).all():
            thumbnail.scroll_into_view_if_needed()
            expect(thumbnail).to_have_js_property("complete", True)
        for summary in page.locator("details:not([open]) > summary").all():
            summary.click()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert refused == []
    finally:
        context.close()
