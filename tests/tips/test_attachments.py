from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO

import pikepdf
import pytest
from django.test import override_settings
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngImageFile, PngInfo

from tips.attachments import (
    REMOVED_DESCRIPTIONS,
    AttachmentRefused,
    clean_upload,
)

MAKER = "TipsterPhoneMaker"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Jane Tipster</dc:creator></x:xmpmeta>'


def encoded(im: Image.Image, fmt: str, **options: object) -> bytes:
    out = BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    im = Image.open(BytesIO(data))
    im.load()
    return im


def identifying_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKER
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 5.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (94.0, 34.0, 50.0),
    }
    return exif


def phone_photo() -> bytes:
    """40x20, a red square top left, stored sideways with orientation 6 (rotate 90° CW)."""
    im = Image.new("RGB", (40, 20), "white")
    im.paste("red", (0, 0, 10, 10))
    return encoded(
        im,
        "JPEG",
        exif=identifying_exif(orientation=6),
        comment=b"sent from my phone",
        icc_profile=SRGB,
        xmp=XMP,
    )


def plain_jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    pattern = bytes(range(256)) * (size[0] * size[1] * 3 // 256 + 1)
    return encoded(Image.frombytes("RGB", size, pattern), "JPEG")


def plain_png(size: tuple[int, int] = (64, 64)) -> bytes:
    return encoded(Image.new("RGB", size, "blue"), "PNG")


def pdf(pages: int = 1, **save_options: object) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    out = BytesIO()
    document.save(out, **save_options)
    return out.getvalue()


def zip_archive() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height`: a decompression bomb's calling card."""
    data = bytearray(plain_png((1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_it_strips_exif_gps_camera_comment_icc_and_xmp_from_a_jpeg() -> None:
    photo = phone_photo()
    assert MAKER.encode() in photo
    assert opened(photo).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = clean_upload("IMG_0042.jpg", photo)

    cleaned = opened(result.data)
    assert cleaned.format == "JPEG"
    assert not cleaned.getexif()
    assert not {"exif", "icc_profile", "comment", "xmp"} & cleaned.info.keys()
    assert MAKER.encode() not in result.data
    assert b"GPS" not in result.data
    assert b"Jane Tipster" not in result.data
    assert result.content_type == "image/jpeg"
    assert result.original is None
    assert set(result.removed) == {"exif", "gps", "camera", "icc_profile", "xmp", "comment"}


def test_it_turns_the_photo_upright_before_dropping_the_orientation() -> None:
    cleaned = opened(clean_upload("IMG_0042.jpg", phone_photo()).data)

    assert cleaned.size == (20, 40)
    red, green, _blue = cleaned.getpixel((15, 5))  # the red square is now top right
    assert red > 200 and green < 80
    assert cleaned.getpixel((5, 35)) > (200, 200, 200)


def test_it_returns_the_untouched_original_only_when_asked() -> None:
    photo = phone_photo()

    result = clean_upload("IMG_0042.jpg", photo, keep_original=True)

    assert result.original == photo
    assert MAKER.encode() not in result.data


def test_it_strips_text_chunks_from_a_png_and_keeps_transparency() -> None:
    info = PngInfo()
    info.add_text("Author", "Jane Tipster")
    info.add_text("Comment", "taken at home", zip=True)
    info.add_itxt("Description", "Jane's street", lang="en")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    image = encoded(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "PNG", pnginfo=info)

    result = clean_upload("screenshot.png", image)

    cleaned = opened(result.data)
    assert isinstance(cleaned, PngImageFile)
    assert cleaned.text == {}
    assert cleaned.mode == "RGBA"
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"Jane"):
        assert chunk not in result.data
    assert {"text", "xmp"} <= set(result.removed)


def test_it_strips_exif_icc_and_xmp_from_a_webp() -> None:
    image = encoded(
        Image.new("RGB", (8, 8), "green"),
        "WEBP",
        exif=identifying_exif(),
        icc_profile=SRGB,
        xmp=XMP,
    )

    result = clean_upload("chat.webp", image)

    cleaned = opened(result.data)
    assert not cleaned.getexif()
    assert not {"exif", "icc_profile", "xmp"} & cleaned.info.keys()
    for chunk in (b"EXIF", b"ICCP", b"XMP ", MAKER.encode()):
        assert chunk not in result.data
    assert result.content_type == "image/webp"


def test_it_keeps_only_the_first_frame_of_an_animated_webp() -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    image = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)

    result = clean_upload("sticker.webp", image)

    assert getattr(opened(result.data), "n_frames", 1) == 1
    assert "extra_frames" in result.removed


@pytest.mark.parametrize(
    ("name", "image", "mode"),
    [
        ("print.jpg", Image.new("CMYK", (4, 4), (0, 255, 255, 0)), "RGB"),
        ("grey.jpg", Image.new("L", (4, 4), 128), "L"),
        ("palette.png", Image.new("P", (4, 4), 0), "RGB"),
        ("transparent-palette.png", Image.new("P", (4, 4), 0), "RGBA"),
        ("grey-alpha.png", Image.new("LA", (4, 4), (128, 10)), "RGBA"),
        ("sixteen-bit.png", Image.new("I;16", (4, 4), 60000), "L"),
    ],
)
def test_it_converts_modes_the_format_cannot_keep(name: str, image: Image.Image, mode: str) -> None:
    fmt = "JPEG" if name.endswith(".jpg") else "PNG"
    options = {"transparency": 0} if name.startswith("transparent") else {}

    cleaned = opened(clean_upload(name, encoded(image, fmt, **options)).data)

    assert cleaned.mode == mode


def test_it_scales_sixteen_bit_grey_instead_of_clipping_it_to_white() -> None:
    image = encoded(Image.new("I;16", (4, 4), 60000), "PNG")

    cleaned = opened(clean_upload("scan.png", image).data)

    assert cleaned.getpixel((0, 0)) == 60000 // 256


def test_it_describes_every_removed_key() -> None:
    result = clean_upload("IMG_0042.jpg", phone_photo())

    assert all(REMOVED_DESCRIPTIONS[key] for key in result.removed)


# --- PDFs ------------------------------------------------------------------------------------


def decompressed(data: bytes) -> bytes:
    """The PDF with every stream decoded and no object streams, so a byte search sees all."""
    out = BytesIO()
    with pikepdf.open(BytesIO(data)) as document:
        document.save(
            out,
            qdf=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            compress_streams=False,
        )
    return out.getvalue()


def javascript(code: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def identifying_pdf() -> bytes:
    document = pikepdf.new()
    for _ in range(3):
        document.add_blank_page()
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = ["Jane Tipster of XMP"]
    document.docinfo["/Author"] = "Jane Tipster"
    document.docinfo["/Title"] = "Notes on the house"
    document.Root.OpenAction = document.make_indirect(javascript("app.alert('open beacon')"))
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("init"), javascript("app.alert('named')")])
        )
    )
    document.attachments["notes.txt"] = pikepdf.AttachedFileSpec(
        document, b"embedded secret payload", mime_type="text/plain"
    )
    page = document.pages[0].obj
    page.AA = pikepdf.Dictionary(O=javascript("app.alert('page beacon')"))
    page.Annots = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[0, 0, 10, 10],
                A=javascript("app.alert('link beacon')"),
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[20, 0, 30, 10],
                A=pikepdf.Dictionary(
                    S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")
                ),
            ),
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.FileAttachment,
                Rect=[40, 0, 50, 10],
                FS=pikepdf.Dictionary(
                    Type=pikepdf.Name.Filespec,
                    F=pikepdf.String("more.txt"),
                    EF=pikepdf.Dictionary(F=document.make_stream(b"annotation secret payload")),
                ),
            ),
        ]
    )
    out = BytesIO()
    document.save(out)
    return out.getvalue()


IDENTIFYING = (b"Jane Tipster", b"Notes on the house", b"beacon", b"named", b"secret payload")


def test_it_strips_metadata_scripts_and_embedded_files_from_a_pdf() -> None:
    original = identifying_pdf()
    assert all(marker in decompressed(original) for marker in IDENTIFYING)

    result = clean_upload("statement.pdf", original)

    text = decompressed(result.data)
    assert [marker for marker in IDENTIFYING if marker in text] == []
    with pikepdf.open(BytesIO(result.data)) as cleaned:
        assert len(cleaned.pages) == 3
        assert "/Info" not in cleaned.trailer
        assert not {"/Metadata", "/OpenAction"} & set(cleaned.Root.keys())
        assert not {"/JavaScript", "/EmbeddedFiles"} & set(cleaned.Root.Names.keys())
        assert "/AA" not in cleaned.pages[0].obj
        links = [annotation.get("/A") for annotation in cleaned.pages[0].obj.Annots]
        assert links == [None, pikepdf.Dictionary(S=pikepdf.Name.URI, URI="https://example.org/")]
    assert result.content_type == "application/pdf"
    assert set(result.removed) == {
        "document_info",
        "xmp",
        "javascript",
        "actions",
        "embedded_files",
    }


def test_it_replaces_the_pdfs_original_identifier() -> None:
    document = pikepdf.new()
    document.add_blank_page()
    document.trailer.ID = pikepdf.Array([pikepdf.String(b"ORIGINAL-ID-0001")] * 2)
    out = BytesIO()
    document.save(out, static_id=True)

    result = clean_upload("scan.pdf", out.getvalue())

    with pikepdf.open(BytesIO(result.data)) as cleaned:
        assert bytes(cleaned.trailer.ID[0]) != b"ORIGINAL-ID-0001"


def test_it_cleans_a_pdf_restricted_only_by_an_owner_password() -> None:
    restricted = pdf(encryption=pikepdf.Encryption(owner="owner", user=""))

    result = clean_upload("bank-statement.pdf", restricted)

    with pikepdf.open(BytesIO(result.data)) as cleaned:
        assert not cleaned.is_encrypted
        assert len(cleaned.pages) == 1


@override_settings(TIP_PDF_MAX_PAGES=2)
def test_it_accepts_a_pdf_at_the_page_limit() -> None:
    with pikepdf.open(BytesIO(clean_upload("two.pdf", pdf(pages=2)).data)) as cleaned:
        assert len(cleaned.pages) == 2


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("photo.jpg", plain_png, "mismatched_type"),
        ("scan.png", pdf, "mismatched_type"),
        ("photo.jpg", lambda: b"<html><script>alert(1)</script></html>", "mismatched_type"),
        ("report.pdf", zip_archive, "mismatched_type"),
        ("photo.webp", plain_jpeg, "mismatched_type"),
        ("photo.jpg", lambda: plain_jpeg()[:400], "unreadable"),
        ("photo.png", lambda: plain_png((256, 256))[:200], "unreadable"),
        ("photo.jpg", lambda: b"\xff\xd8\xff" + b"not really a jpeg" * 10, "unreadable"),
        ("report.pdf", lambda: b"%PDF-1.7\n" + b"garbage " * 40, "unreadable"),
        ("photo.jpg", lambda: b"", "empty"),
        ("setup.exe", plain_jpeg, "unsupported_type"),
        ("drawing.svg", lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "unsupported_type"),
        ("IMG_0001.heic", lambda: b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32, "unsupported_type"),
        ("photo", plain_jpeg, "unsupported_type"),
        ("photo.jpg\x00.exe", plain_jpeg, "unsupported_type"),
        ("photo\u202egpj.exe", plain_jpeg, "unsupported_type"),
        (
            "locked.pdf",
            lambda: pdf(encryption=pikepdf.Encryption(owner="o", user="u")),
            "encrypted_pdf",
        ),
        ("bomb.png", lambda: png_declaring(100_000, 100_000), "too_many_pixels"),
    ],
)
def test_it_refuses(name: str, make: Callable[[], bytes], code: str) -> None:
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload(name, make())

    assert refused.value.code == code
    assert str(refused.value.message)
    assert str(refused.value) == str(refused.value.message)


def test_it_names_the_allowed_kinds_when_refusing_a_type() -> None:
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("setup.exe", plain_jpeg())

    assert "JPEG, PNG, WebP" in str(refused.value.message)
    assert "PDF" in str(refused.value.message)


@override_settings(TIP_PDF_MAX_PAGES=2)
def test_it_refuses_a_pdf_with_too_many_pages() -> None:
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("long.pdf", pdf(pages=3))

    assert refused.value.code == "too_many_pages"
    assert "2" in str(refused.value.message)


@pytest.mark.parametrize("limit", [5_000, 9_000])  # past Pillow's error, and in its warning band
def test_it_refuses_an_image_with_more_pixels_than_the_limit(limit: int) -> None:
    with override_settings(TIP_IMAGE_MAX_PIXELS=limit), pytest.raises(AttachmentRefused) as refused:
        clean_upload("big.png", plain_png((100, 100)))

    assert refused.value.code == "too_many_pixels"
    assert str(refused.value.message)


@override_settings(TIP_IMAGE_MAX_PIXELS=10_000)
def test_it_accepts_an_image_at_the_pixel_limit() -> None:
    assert opened(clean_upload("big.png", plain_png((100, 100))).data).size == (100, 100)


@override_settings(TIP_ATTACHMENT_MAX_BYTES=100)
def test_it_refuses_data_over_the_size_limit() -> None:
    with pytest.raises(AttachmentRefused) as refused:
        clean_upload("photo.jpg", plain_jpeg())

    assert refused.value.code == "too_large"
    assert "100" in str(refused.value.message)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded_as", "shown_as"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\Windows\\evil.JPEG", "evil.jpg"),
        ("C:\\Users\\jane\\Pictures\\IMG_0042.jpeg", "IMG_0042.jpg"),
        ("pho\x00to\x1b\x7f\n.jpg", "photo.jpg"),
        ("photo\u202egpj.jpg", "photogpj.jpg"),
        ('a:b*c?"d<e>f|g.jpg', "abcdefg.jpg"),
        ("  holiday\t  snaps  .jpg. ", "holiday snaps.jpg"),
        (".jpg", "attachment.jpg"),
        ("....jpg", "attachment.jpg"),
    ],
)
def test_it_sanitises_the_display_name(uploaded_as: str, shown_as: str) -> None:
    assert clean_upload(uploaded_as, plain_jpeg()).name == shown_as


def test_it_shortens_a_very_long_name_and_keeps_the_extension() -> None:
    name = clean_upload("é" * 500 + ".jpeg", plain_jpeg()).name

    assert len(name) == 100
    assert name == "é" * 96 + ".jpg"
