"""What cleaning an attachment may cost: memory bounds for images, an inflation cap for PDFs.

The worst accepted files and the bombs past the limits are built and cleaned in a child
process of their own (bench/harness/attachment_cases.py), so the peak resident memory
measured is that of cleaning one file. These are memory bounds, never timing thresholds.
"""

from __future__ import annotations

import zlib
from io import BytesIO

import pikepdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from bench.harness.attachment_cases import run
from tips.attachments import AttachmentRefused, clean_upload
from tips.forms import clean_attachments

MB = 1024 * 1024


def image_bytes(mode: str, size: tuple[int, int], fmt: str) -> bytes:
    out = BytesIO()
    Image.new(mode, size, "blue").save(out, fmt)
    return out.getvalue()


def pdf_with_content(content: bytes, *, compressed: bool = True) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    stream = pikepdf.Stream(document, zlib.compress(content) if compressed else content)
    if compressed:
        stream["/Filter"] = pikepdf.Name.FlateDecode
    document.pages[0].Contents = document.make_indirect(stream)
    out = BytesIO()
    document.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


# --- in a child process: the worst cases at the default limits ------------------------------


def test_the_worst_accepted_png_stays_under_the_memory_bound() -> None:
    measured = run("worst_png")

    assert measured["outcome"] == "stored"
    assert measured["peak_mb"] < settings.TIP_IMAGE_MEMORY_BYTES / MB


def test_a_jpeg_at_the_pixel_limit_is_decoded_reduced_under_the_memory_bound() -> None:
    measured = run("worst_jpeg")

    assert measured["outcome"] == "stored"
    assert measured["peak_mb"] < settings.TIP_IMAGE_MEMORY_BYTES / MB


def test_the_worst_accepted_webp_stays_under_the_memory_bound() -> None:
    measured = run("worst_webp")

    assert measured["outcome"] == "stored"
    assert measured["peak_mb"] < settings.TIP_IMAGE_MEMORY_BYTES / MB


@pytest.mark.parametrize("case", ["png_over_budget", "png_over_limit"])
def test_an_image_over_the_limits_is_refused_before_decoding(case: str) -> None:
    measured = run(case)

    assert measured["outcome"] == "too_many_pixels"
    assert measured["peak_mb"] < 20  # its pixels were never decoded


def test_a_pdf_bomb_is_refused_without_inflating_it() -> None:
    measured = run("pdf_bomb")  # 1 GiB once inflated, about 1 MB sent

    assert measured["outcome"] == "inflates_too_much"
    assert measured["peak_mb"] < 200


# --- in process, at small limits ------------------------------------------------------------


@override_settings(TIP_IMAGE_MEMORY_BYTES=9 * 100 * 100)
def test_a_png_over_the_memory_budget_is_refused() -> None:
    assert clean_upload("ok.png", image_bytes("RGB", (100, 100), "PNG"))
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("big.png", image_bytes("RGB", (101, 100), "PNG"))

    assert refused.value.code == "too_many_pixels"


@override_settings(TIP_IMAGE_MEMORY_BYTES=9 * 100 * 100)
def test_a_jpeg_over_the_memory_budget_is_stored_at_a_reduced_size() -> None:
    cleaned = clean_upload("big.jpg", image_bytes("RGB", (400, 200), "JPEG"))

    assert Image.open(BytesIO(cleaned.data)).size == (100, 50)


@override_settings(TIP_IMAGE_MEMORY_BYTES=9 * 100 * 100)
def test_a_webp_costs_more_per_pixel_than_a_png() -> None:
    assert clean_upload("ok.webp", image_bytes("RGB", (40, 40), "WEBP"))
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("big.webp", image_bytes("RGB", (100, 100), "WEBP"))

    assert refused.value.code == "too_many_pixels"


@override_settings(TIP_PDF_MAX_INFLATED_BYTES=MB)
def test_a_pdf_inflating_past_the_cap_is_refused_and_named_on_the_form() -> None:
    bomb = pdf_with_content(b" " * (MB + 1))

    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("bomb.pdf", bomb)
    cleaned, errors = clean_attachments(
        [SimpleUploadedFile("bomb.pdf", bomb, "application/pdf")], keep_original=False
    )

    assert refused.value.code == "inflates_too_much"
    assert "1.0\xa0MB" in str(refused.value.message)  # the cap, as a size
    assert cleaned == []
    assert errors == [f"bomb.pdf: {refused.value.message}"]


@override_settings(TIP_PDF_MAX_INFLATED_BYTES=MB)
def test_a_pdf_at_the_cap_is_stored_compressed_and_opens() -> None:
    content = b"0 0 m 1 1 l S\n" * (900_000 // 14)

    cleaned = clean_upload("fine.pdf", pdf_with_content(content, compressed=False))

    with pikepdf.open(BytesIO(cleaned.data)) as document:
        stream = document.pages[0].obj["/Contents"]
        assert stream.get("/Filter") == pikepdf.Name.FlateDecode
        assert stream.read_bytes() == content
    assert len(cleaned.data) < len(content) // 10


@override_settings(TIP_PDF_MAX_INFLATED_BYTES=MB)
def test_the_cap_counts_every_stream_of_the_document() -> None:
    document = pikepdf.new()
    for _ in range(3):
        document.add_blank_page()
    for page in document.pages:
        stream = pikepdf.Stream(document, zlib.compress(b" " * 400_000))
        stream["/Filter"] = pikepdf.Name.FlateDecode
        page.Contents = document.make_indirect(stream)
    out = BytesIO()
    document.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none)

    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("three.pdf", out.getvalue())

    assert refused.value.code == "inflates_too_much"
