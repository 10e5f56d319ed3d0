from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils.datastructures import MultiValueDict

from tips.uploads import BoundedMemoryUploadHandler, TooManyFiles, UploadTooLarge

# Small limits keep the bodies tiny: 1000 bytes a file, two files a form, so at most
# 3000 file bytes and 6 file parts per request.
small_limits = override_settings(TIP_ATTACHMENT_MAX_BYTES=1000, TIP_ATTACHMENT_MAX_COUNT=2)


def upload(name: str, content: bytes) -> BytesIO:
    file = BytesIO(content)
    file.name = name
    return file


def parse(data: dict[str, object], *, chunk_size: int = 100) -> tuple[MultiValueDict, ...]:
    """Parse a multipart body with the handler, fed in small chunks like a slow network."""
    body = encode_multipart(BOUNDARY, data)
    handler = BoundedMemoryUploadHandler()
    handler.chunk_size = chunk_size
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, BytesIO(body), [handler]).parse()


@small_limits
def test_it_keeps_a_normal_file_in_memory_intact() -> None:
    content = bytes(range(256)) * 3
    request = RequestFactory().post(
        "/tips/new", {"details": "a van outside", "attachment": upload("a.jpg", content)}
    )

    attachment = request.FILES["attachment"]
    assert isinstance(attachment, InMemoryUploadedFile)
    assert not hasattr(attachment, "temporary_file_path")
    assert attachment.read() == content
    assert attachment.size == len(content)
    assert attachment.oversize is False
    assert request.POST["details"] == "a van outside"


@small_limits
@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=100)
def test_it_keeps_files_in_memory_above_djangos_memory_threshold() -> None:
    # Django's memory handler would step aside here and leave the file to a temp file.
    _post, files = parse({"attachment": upload("a.pdf", b"x" * 900)})

    assert isinstance(files["attachment"], InMemoryUploadedFile)
    assert files["attachment"].read() == b"x" * 900


@small_limits
def test_it_accepts_a_file_of_exactly_the_limit() -> None:
    _post, files = parse({"attachment": upload("a.png", b"y" * 1000)})

    assert files["attachment"].oversize is False
    assert files["attachment"].read() == b"y" * 1000


@small_limits
def test_it_empties_an_oversize_file_and_keeps_the_rest_of_the_form() -> None:
    post, files = parse(
        {
            "details": "he took their passports",
            "contact": "",
            "attachment": [upload("big.jpg", b"z" * 1500), upload("small.jpg", b"s" * 20)],
        }
    )

    big, small = files.getlist("attachment")
    assert big.oversize is True
    assert big.size == 1500
    assert big.read() == b""
    assert small.oversize is False
    assert small.read() == b"s" * 20
    assert post["details"] == "he took their passports"
    assert post["contact"] == ""


@small_limits
def test_it_refuses_more_file_bytes_than_one_file_over_the_form_limit() -> None:
    files = [upload(f"{n}.jpg", b"f" * 900) for n in range(4)]  # 3600 > 3000

    with pytest.raises(UploadTooLarge) as refused:
        parse({"attachment": files})

    assert isinstance(refused.value, RequestDataTooBig)
    assert "too large" in str(refused.value)


@small_limits
def test_it_counts_the_dropped_bytes_of_oversize_files_towards_the_cap() -> None:
    with pytest.raises(UploadTooLarge):
        parse({"attachment": upload("huge.jpg", b"h" * 3500)})


@small_limits
def test_it_accepts_the_cap_itself() -> None:
    _post, files = parse({"attachment": [upload(f"{n}.jpg", b"f" * 1000) for n in range(3)]})

    assert [f.size for f in files.getlist("attachment")] == [1000, 1000, 1000]


@small_limits
def test_it_refuses_more_file_parts_than_three_times_the_form_limit() -> None:
    with pytest.raises(TooManyFiles) as refused:
        parse({"attachment": [upload(f"{n}.jpg", b"t") for n in range(7)]})

    assert isinstance(refused.value, RequestDataTooBig)
    assert "Too many files" in str(refused.value)


@small_limits
def test_it_accepts_three_times_the_form_limit_for_the_form_to_report() -> None:
    _post, files = parse({"attachment": [upload(f"{n}.jpg", b"t") for n in range(6)]})

    assert len(files.getlist("attachment")) == 6


@small_limits
def test_it_raises_through_request_files() -> None:
    request = RequestFactory().post(
        "/tips/new", {"attachment": [upload(f"{n}.jpg", b"f" * 900) for n in range(4)]}
    )

    with pytest.raises(UploadTooLarge):
        request.FILES  # noqa: B018  # reading FILES is what parses the body
