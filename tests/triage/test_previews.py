"""Photo previews on the tip page: a cleaned photo is decrypted when the browser asks for it,
shown inline with the download's sealed headers and audited each time; originals with their
metadata and PDFs stay download-only; whoever may not download may not preview."""

from __future__ import annotations

import re
from io import BytesIO

import pikepdf
import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import Action
from portal import vault
from portal.downloads import SANDBOX_CSP
from tests.factories import image
from tests.readers import events
from tests.staff import sign_in
from tips import followup
from tips.attachments import CleanedAttachment, clean_upload
from triage import reading

GPS = {0x010F: "Maria's phone maker", 0x0110: "Model 7"}


@pytest.fixture
def web(investigator):
    return sign_in(Client(), investigator)


def photo(name: str = "van.png", color: str = "red", fmt: str = "PNG") -> CleanedAttachment:
    return clean_upload(name, image(color, (24, 16), format=fmt).getvalue())


def pdf() -> CleanedAttachment:
    document = pikepdf.new()
    document.add_blank_page()
    out = BytesIO()
    document.save(out)
    return clean_upload("lease.pdf", out.getvalue())


def preview_url(tip, row) -> str:
    return f"/triage/tips/{tip.code}/attachments/{row.code}/preview/"


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize(
    ("name", "fmt", "content_type"),
    [("van.png", "PNG", "image/png"), ("van.jpg", "JPEG", "image/jpeg"),
     ("van.webp", "WEBP", "image/webp")],
)  # fmt: skip
def test_a_cleaned_photo_is_shown_inline_with_sealed_headers(web, submit, name, fmt, content_type):
    cleaned = photo(name, fmt=fmt)
    tip, _ = submit(attachments=(cleaned,))
    row = tip.attachments.get()

    response = web.get(preview_url(tip, row))

    assert response.status_code == 200
    assert body(response) == cleaned.data
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = {part.strip() for part in response["Content-Security-Policy"].split(";")}
    assert policy == {"sandbox", "default-src 'none'"}


def test_the_preview_and_the_download_are_sealed_alike(web, submit):
    tip, _ = submit(attachments=(photo(),))
    row = tip.attachments.get()

    preview = web.get(preview_url(tip, row))
    download = web.get(f"/triage/tips/{tip.code}/attachments/{row.code}/")

    assert download["Content-Disposition"] == 'attachment; filename="van.png"'
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control",
                   "Cross-Origin-Resource-Policy", "Content-Type"):  # fmt: skip
        assert preview[header] == download[header], header
    assert preview["Content-Security-Policy"] == SANDBOX_CSP
    assert body(preview) == body(download)


def test_each_preview_is_audited_with_the_reader_and_the_file(web, submit, investigator):
    tip, _ = submit(attachments=(photo(), photo("pier.png", "blue")))
    first, second = tip.attachments.order_by("pk")

    for row in (first, second, first):
        body(web.get(preview_url(tip, row)))

    seen = events(Action.ATTACHMENT_PREVIEWED, tip)
    assert [event.details for event in seen] == [
        {"attachment": str(first.code)},
        {"attachment": str(second.code)},
        {"attachment": str(first.code)},
    ]
    assert {event.actor for event in seen} == {str(investigator.pk)}
    assert events(Action.ATTACHMENT_DOWNLOADED, tip) == []  # a preview is not a download


def test_a_photo_added_with_a_reply_previews_under_its_message_key(web, submit):
    later = photo("later.png", "blue")
    tip, receipt = submit()
    followup.add_information(receipt, "One more photo.", [later])
    row = tip.attachments.get()

    response = web.get(preview_url(tip, row))

    assert body(response) == later.data
    assert len(events(Action.ATTACHMENT_PREVIEWED, tip)) == 1


def test_an_original_with_metadata_and_a_pdf_have_no_preview_and_no_thumbnail(web, submit):
    with_gps = clean_upload(
        "van.jpg", image(format="JPEG", exif=GPS).getvalue(), keep_original=True
    )
    tip, _ = submit(attachments=(with_gps, pdf()))
    cleaned = tip.attachments.get(variant="cleaned", content_type="image/jpeg")
    original = tip.attachments.get(variant="original")
    document = tip.attachments.get(content_type="application/pdf")

    assert web.get(preview_url(tip, original)).status_code == 404
    assert web.get(preview_url(tip, document)).status_code == 404
    assert events(Action.ATTACHMENT_PREVIEWED, tip) == []
    # Both still download.
    assert body(web.get(f"/triage/tips/{tip.code}/attachments/{original.code}/")) == (
        with_gps.original
    )
    assert web.get(f"/triage/tips/{tip.code}/attachments/{document.code}/").status_code == 200

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()
    assert re.findall(r'<img src="([^"]+)"', page) == [preview_url(tip, cleaned)]
    assert preview_url(tip, original) not in page and preview_url(tip, document) not in page
    assert f"/triage/tips/{tip.code}/attachments/{original.code}/" in page  # the download link
    assert f"/triage/tips/{tip.code}/attachments/{document.code}/" in page


def test_reading_refuses_to_preview_a_file_without_one(submit, investigator, keys):
    tip, _ = submit(attachments=(pdf(),))

    with pytest.raises(ValueError, match="no preview"):
        reading.attachment_chunks(
            tip, tip.attachments.get(), keys(investigator), actor=investigator, preview=True
        )
    assert events(Action.ATTACHMENT_PREVIEWED, tip) == []


def test_another_tips_photo_is_not_found_here(web, submit):
    tip, _ = submit(attachments=(photo(),))
    other, _ = submit(attachments=(photo("pier.png", "blue"),))

    response = web.get(preview_url(tip, other.attachments.get()))

    assert response.status_code == 404
    assert events(Action.ATTACHMENT_PREVIEWED) == []


# --- refusals: the download's answers, no image bytes ------------------------------------------


def _liaison(make_staff):
    return sign_in(Client(), make_staff("lia-a", "liaison", "org-a"))


def _admin(make_staff):
    return sign_in(Client(), make_staff("ada-admin", "admin"))


def _deskless(make_staff):
    return sign_in(Client(), make_staff("dee-deskless", "investigator"))


def _locked(make_staff, enlist):
    client = sign_in(Client(), enlist(make_staff("lou-locked", "investigator")))
    session = client.session
    session.pop(vault.session.SESSION_FIELD)
    session.save()
    return client


def _anonymous(make_staff):
    return Client()


@pytest.mark.parametrize(
    ("who", "status"),
    [(_liaison, 403), (_admin, 403), (_deskless, 403), (_locked, 403), (_anonymous, 302)],
    ids=["liaison", "admin", "deskless", "locked vault", "anonymous"],
)
def test_whoever_may_not_download_may_not_preview(submit, make_staff, enlist, who, status):
    cleaned = photo()
    tip, _ = submit(attachments=(cleaned,))
    row = tip.attachments.get()
    client = who(make_staff, enlist) if who is _locked else who(make_staff)

    download = client.get(f"/triage/tips/{tip.code}/attachments/{row.code}/")
    preview = client.get(preview_url(tip, row))

    assert (download.status_code, preview.status_code) == (status, status)
    assert not preview["Content-Type"].startswith("image/")
    assert cleaned.data not in body(preview)
    assert events(Action.ATTACHMENT_PREVIEWED, tip) == []


def test_a_purged_tip_has_no_preview_but_its_tombstone(web, submit):
    from retention.actions import purge_tips

    tip, _ = submit(attachments=(photo(),))
    url = preview_url(tip, tip.attachments.get())
    with transaction.atomic():
        purge_tips([tip], timezone.now())

    response = web.get(url)

    assert response.status_code == 410
    assert not response["Content-Type"].startswith("image/")


# --- the tip page --------------------------------------------------------------------------------


def _tip_with_photos(submit, with_tip: int, with_reply: int):
    colors = ["red", "blue", "green", "black", "white", "gray", "navy"]
    tip, receipt = submit(
        attachments=tuple(photo(f"sent{n}.png", colors[n]) for n in range(with_tip))
    )
    followup.add_information(
        receipt, "More photos.", [photo(f"later{n}.png", colors[n]) for n in range(with_reply)]
    )
    return tip


def test_the_tip_page_shows_a_thumbnail_of_each_photo_linked_to_full_size(web, submit):
    tip = _tip_with_photos(submit, with_tip=2, with_reply=1)
    sent_first, sent_second, later = tip.attachments.order_by("created_at", "pk")

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()

    thumbs = re.findall(r'<a href="([^"]+)" class="file-thumb"><img ([^>]+)>', page)
    assert [href for href, _ in thumbs] == [
        preview_url(tip, sent_first), preview_url(tip, sent_second), preview_url(tip, later)
    ]  # fmt: skip
    attributes = [dict(re.findall(r'([\w-]+)="([^"]*)"', img)) for _, img in thumbs]
    assert [a["src"] for a in attributes] == [href for href, _ in thumbs]
    assert {(a["loading"], a["width"], a["height"]) for a in attributes} == {("lazy", "160", "120")}
    assert attributes[0]["alt"] == "Photo 1 sent with the tip"
    assert attributes[1]["alt"] == "Photo 2 sent with the tip"
    assert attributes[2]["alt"].startswith("Photo 3 added with a tipster reply on ")
    assert "sent0.png" in page and "later0.png" in page  # the download links stay


def test_the_thumbnails_are_described_in_spanish(web, submit, settings):
    tip = _tip_with_photos(submit, with_tip=1, with_reply=1)
    # Staff pages have no /es/ prefix: they speak the site's language.
    settings.LANGUAGE_CODE = "es"

    page = web.get(f"/triage/tips/{tip.code}/").content.decode()

    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert alts[0] == "Foto 1 enviada con la denuncia"
    assert alts[1].startswith("Foto 2 añadida con una respuesta de quien denunció el ")
    assert "(tamaño completo)" in page


def test_the_tip_page_decrypts_no_photo_itself(web, submit, monkeypatch):
    tip = _tip_with_photos(submit, with_tip=2, with_reply=1)

    def refuse(*args, **kwargs):
        raise AssertionError("the tip page must not open a file")

    monkeypatch.setattr(FileSystemStorage, "open", refuse)
    response = web.get(f"/triage/tips/{tip.code}/")

    assert response.status_code == 200
    assert response.content.decode().count('class="file-thumb"') == 3
    assert events(Action.ATTACHMENT_PREVIEWED, tip) == []
    assert events(Action.ATTACHMENT_DOWNLOADED, tip) == []


def test_the_tip_page_costs_the_same_queries_however_many_photos(web, submit):
    few = _tip_with_photos(submit, with_tip=1, with_reply=1)
    many = _tip_with_photos(submit, with_tip=4, with_reply=3)
    for tip in (few, many):  # the first view of each marks its replies read: not measured
        web.get(f"/triage/tips/{tip.code}/")

    counted = []
    for tip in (few, many):
        with CaptureQueriesContext(connection) as queries:
            page = web.get(f"/triage/tips/{tip.code}/").content.decode()
        counted.append(len(queries))
        assert page.count('class="file-thumb"') == len(tip.attachments.all())

    assert counted[0] == counted[1], counted


def test_staff_pages_allow_images_from_the_site_only(web, submit):
    tip = _tip_with_photos(submit, with_tip=1, with_reply=0)

    policy = web.get(f"/triage/tips/{tip.code}/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["img-src"].split() == ["'self'", "data:"]
