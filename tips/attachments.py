"""Check an uploaded attachment and make a clean copy of it before it is encrypted.

A tipster's file can identify them even when their words do not: a phone photo carries the
GPS position where it was taken (often their home), the camera make, model and serial
number, the time; a PDF carries its author's name, the software and the path it was made
with, and an /ID that links it to the original on their computer. So every attachment is
rebuilt from its content alone before it is stored:

- photos are decoded to pixels, turned upright by their EXIF orientation (so they still
  look right once the tag is gone) and encoded again as a new image of the same format,
  with no EXIF, GPS, XMP, IPTC, ICC colour profile, comments or PNG text chunks;
- PDFs are rewritten by qpdf (pikepdf) without the document information dictionary, XMP
  metadata, the original /ID, earlier revisions (qpdf writes one fresh revision) or active
  content: JavaScript, automatic and launch actions, embedded files, XFA forms. Links
  (/URI) and the pages themselves are kept.

The same metadata can also be evidence: where and when a photo was taken may matter to an
investigation. The form therefore lets the tipster choose to send the untouched original
as well, after telling them what it reveals; only then does `clean_upload` return it in
`original` (`keep_original=True`), and it is encrypted like the rest of the tip.

Every file is also untrusted input to complex parsers, so before anything is kept:

- the kind is established by content, not by name: the extension, the magic signature and
  a full parse must all agree (a PNG named .jpg, HTML named .jpg, a zip named .pdf are
  refused, not "fixed"), and the filename survives only as a sanitised display name;
- images may not exceed `TIP_IMAGE_MAX_PIXELS` (checked on the declared size, before any
  pixel is decoded, and through Pillow's own decompression-bomb guard, whose warning is
  turned into an error), and their decoding may not need more than
  `TIP_IMAGE_MEMORY_BYTES` (estimated from the declared size and format, before decoding:
  a larger JPEG is decoded at a reduced size, a larger PNG or WebP refused);
- PDFs may not exceed `TIP_PDF_MAX_PAGES`, nor hold more than `TIP_PDF_MAX_INFLATED_BYTES`
  once their streams are decoded: each stream is inflated a chunk at a time and counted, a
  bomb is refused at the cap, and what is accepted is stored decoded and compressed again,
  so the size that reaches a viewer is the one counted;
- PDFs that need a password to open are refused: they cannot be inspected or cleaned.
  PDFs that only carry an owner password (restrictions on printing or copying, common on
  bank statements) open without one, so they are cleaned and saved unencrypted instead.

Only the first frame of an animated WebP or PNG, or of a multi-picture JPEG (MPO: phone
depth maps and previews), is kept: each further frame would need its own pixel budget and
metadata scrub, a tip needs the picture rather than the animation, and the tipster can
send the original if the animation matters. The result lists "extra_frames" in `removed`.

Nothing here touches the disk: files are parsed from and written to memory.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps

type Message = str | Promise

MAX_NAME_CHARS = 100
FALLBACK_STEM = "attachment"
JPEG_QUALITY = 90
WEBP_QUALITY = 90

# For the file input's `accept` attribute. Listing the types also makes iOS convert HEIC
# photos to JPEG when they are picked, instead of sending a file we would refuse.
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"

# What `CleanedAttachment.removed` may contain, worded for the confirmation page.
REMOVED_DESCRIPTIONS: dict[str, Message] = {
    "exif": _("camera data (EXIF)"),
    "gps": _("the location where the photo was taken (GPS)"),
    "camera": _("the camera or phone make, model and serial number"),
    "icc_profile": _("the colour profile"),
    "xmp": _("XMP metadata"),
    "iptc": _("IPTC metadata"),
    "comment": _("comments"),
    "text": _("text notes stored in the image"),
    "extra_frames": _("further frames or pictures in the file (only the first is kept)"),
    "document_info": _("document properties (author, title, software, dates)"),
    "application_data": _("private data of the program that made the document"),
    "javascript": _("scripts"),
    "actions": _("automatic actions and media"),
    "embedded_files": _("files embedded in the document"),
    "xfa": _("XFA form data"),
}

_interpolate = lazy(lambda message, values: message % values, str)


class AttachmentRefused(Exception):  # noqa: N818  # an outcome, like PermissionDenied
    """The file cannot be attached: `message` is for the person, `code` for the program.

    Arguments in the order of Django's ValidationError(message, code).
    """

    def __init__(self, message: Message, code: str) -> None:
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


# The message for each refusal code.
REFUSAL_MESSAGES: dict[str, Message] = {
    "unsupported_type": _("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
    "mismatched_type": _(
        "This file's contents do not match its name. Only photos (JPEG, PNG, WebP) and "
        "PDF documents can be attached, with a name ending in .jpg, .png, .webp or .pdf."
    ),
    "unreadable": _(
        "This file seems to be damaged or incomplete and could not be read. Try saving "
        "or exporting it again, then attach the new copy."
    ),
    "too_many_pixels": _(
        "This image is too large to process. Please attach a smaller copy, for example "
        "a screenshot or a resized photo."
    ),
    "too_many_pages": _(
        "This PDF has too many pages. Please attach only the pages that matter (at most %(count)d)."
    ),
    "encrypted_pdf": _(
        "This PDF is protected by a password, so it cannot be checked. Please remove the "
        "password (for example by printing it to a new PDF) and attach it again."
    ),
    "inflates_too_much": _(
        "This PDF holds more than can be checked (over %(size)s once uncompressed). Please "
        "attach only the pages that matter, or a copy printed to a new PDF."
    ),
    "too_large": _("This file is too large. Each file can be at most %(size)s."),
    "empty": _("This file is empty."),
}


def _refused(code: str, **values: object) -> AttachmentRefused:
    message = REFUSAL_MESSAGES[code]
    return AttachmentRefused(_interpolate(message, values) if values else message, code)


@dataclass(frozen=True)
class CleanedAttachment:
    name: str  # safe display name, extension matching `content_type`
    content_type: str  # detected from the content
    data: bytes  # the cleaned copy
    original: bytes | None  # the untouched upload, only when the tipster chose to send it
    removed: tuple[str, ...]  # keys of REMOVED_DESCRIPTIONS, for the confirmation page


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extension: str  # the one the display name gets
    pil_format: str | None  # None: not an image
    pil_results: frozenset[str] = frozenset()  # formats Pillow may report after parsing


JPEG = _Kind("image/jpeg", ".jpg", "JPEG", frozenset({"JPEG", "MPO"}))
PNG = _Kind("image/png", ".png", "PNG", frozenset({"PNG"}))
WEBP = _Kind("image/webp", ".webp", "WEBP", frozenset({"WEBP"}))
PDF = _Kind("application/pdf", ".pdf", None)

# The stored types a staff page may show inline (triage previews): the photo kinds accepted
# above, always in a copy re-encoded here. Anything else (PDFs) is only ever downloaded.
IMAGE_TYPES = frozenset(kind.content_type for kind in (JPEG, PNG, WEBP))

_BY_EXTENSION: dict[str, _Kind] = {
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "webp": WEBP,
    "pdf": PDF,
}


def clean_upload(name: str, data: bytes, *, keep_original: bool = False) -> CleanedAttachment:
    """Check `data` (uploaded as `name`) and return a metadata-free copy.

    Raises AttachmentRefused when the file is not an allowed kind, is not what its name
    says, cannot be parsed, or exceeds a limit.
    """
    base = _basename(name)
    stem, _dot, extension = base.rpartition(".")
    kind = _BY_EXTENSION.get(extension.lower())
    if kind is None:
        raise _refused("unsupported_type")
    if not data:
        raise _refused("empty")
    max_bytes: int = settings.TIP_ATTACHMENT_MAX_BYTES
    if len(data) > max_bytes:
        raise _refused("too_large", size=lazy(filesizeformat, str)(max_bytes))
    if _sniff(data) is not kind:
        raise _refused("mismatched_type")

    if kind is PDF:
        cleaned, removed = _clean_pdf(data)
    else:
        cleaned, removed = _clean_image(data, kind)
    return CleanedAttachment(
        name=_display_name(stem, kind),
        content_type=kind.content_type,
        data=cleaned,
        original=data if keep_original else None,
        removed=tuple(dict.fromkeys(removed)),
    )


# --- names ---------------------------------------------------------------------------------

_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|]')


def _basename(name: str) -> str:
    # Control and format characters go first, so "a.jpg\0.exe" is judged as ".exe" and a
    # right-to-left override cannot make "gpj.exe" display as "exe.jpg".
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = re.split(r"[\\/]", name)[-1]
    # Windows ignores trailing dots and spaces, so "photo.exe. " must not pass as named.
    return name.strip().rstrip(". ")


def _display_name(stem: str, kind: _Kind) -> str:
    stem = _UNSAFE_IN_NAMES.sub("", stem)
    stem = " ".join(stem.split()).strip(". ")
    stem = stem[: MAX_NAME_CHARS - len(kind.extension)].rstrip(". ")
    return f"{stem or FALLBACK_STEM}{kind.extension}"


def _sniff(data: bytes) -> _Kind | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    # Readers accept a PDF header anywhere in the first KiB; we insist on offset 0, which
    # rules out HTML/PDF polyglots that start as something else.
    if data.startswith(b"%PDF-"):
        return PDF
    return None


# --- images --------------------------------------------------------------------------------

# EXIF tags naming the device (and through its serial number, its owner).
_CAMERA_TAGS = (
    ExifTags.Base.Make,
    ExifTags.Base.Model,
    ExifTags.Base.BodySerialNumber,
    ExifTags.Base.CameraOwnerName,
    ExifTags.Base.LensMake,
    ExifTags.Base.LensModel,
    ExifTags.Base.LensSerialNumber,
)
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_GREY_MODES = frozenset({"1", "L", "I", "I;16", "I;16B", "I;16L", "I;16N"})


@contextmanager
def _pixel_limit(max_pixels: int) -> Iterator[None]:
    """Pillow's bomb guard with our limit, and its warning (1-2x the limit) as an error.

    Both the limit and the warning filters are process-wide, so a parse in another thread
    may briefly run under the previous values; the explicit size check in _clean_image,
    made before any pixel is decoded, is what the limit relies on.
    """
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _clean_image(data: bytes, kind: _Kind) -> tuple[bytes, list[str]]:
    if kind.pil_format is None:
        raise ValueError(f"{kind.content_type} is not an image kind")
    max_pixels: int = settings.TIP_IMAGE_MAX_PIXELS
    try:
        # `formats` hands the bytes to the one decoder the name and signature agreed on;
        # no other plugin (some shell out or write temporary files, like EPS) sees them.
        with _pixel_limit(max_pixels), Image.open(BytesIO(data), formats=[kind.pil_format]) as im:
            if im.format not in kind.pil_results:
                raise _refused("mismatched_type")
            width, height = im.size
            if width * height > max_pixels:
                raise _refused("too_many_pixels")
            _fit_memory(im, kind)
            im.load()  # decodes the first frame; a truncated file fails here
            removed = _image_metadata(im)
            # In place: without a turn to make, the decoded pixels are the only copy.
            ImageOps.exif_transpose(im, in_place=True)
            pixels = _pixels_for(im, kind)
        del im
        # A fresh image around the same pixels, without the source's `info`: Pillow's PNG and
        # JPEG writers read the ICC profile and comment from it, so re-saving would keep them.
        clean = Image.Image()._new(pixels.im)
        del pixels
        out = BytesIO()
        clean.save(out, format=kind.pil_format, **_save_options(kind))
        del clean
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refused("too_many_pixels") from exc
    except Exception as exc:
        # The decoders are fed hostile input and fail in many ways (OSError for truncation,
        # SyntaxError, ValueError, struct.error, EOFError...); every one means "unreadable".
        raise _refused("unreadable") from exc
    return out.getvalue(), removed


# Peak bytes per pixel of cleaning an image, measured (docs/decisions.md, "Attachment cost"):
# Pillow holds RGB as 4 bytes a pixel; turning a photo upright, or converting CMYK, P or LA,
# makes a second copy; 16-bit grey goes through 32-bit copies; Pillow's WebP decoder keeps
# its own RGBA canvases next to the image, and the encoder converts it again.
_BYTES_PER_PIXEL = {"JPEG": 9, "PNG": 9, "WEBP": 20}
_SIXTEEN_BIT_BYTES_PER_PIXEL = 12


def _fit_memory(im: Image.Image, kind: _Kind) -> None:
    """Keep the decoded pixels within TIP_IMAGE_MEMORY_BYTES, judged before decoding.

    A JPEG is decoded at 1/2, 1/4 or 1/8 of its size instead (libjpeg's reduced decoding,
    which never holds the full-size bitmap): the cleaned copy is smaller, the original can
    still be sent as it is. Other formats have no reduced decoding, so they are refused.
    """
    budget: int = settings.TIP_IMAGE_MEMORY_BYTES
    width, height = im.size
    per_pixel = _BYTES_PER_PIXEL[im.format or ""]
    if im.mode in _GREY_MODES and im.mode not in {"1", "L"}:
        per_pixel = max(per_pixel, _SIXTEEN_BIT_BYTES_PER_PIXEL)
    if width * height * per_pixel <= budget:
        return
    if kind is JPEG:
        for scale in (2, 4, 8):
            reduced = (-(-width // scale), -(-height // scale))  # rounded up, as libjpeg does
            if reduced[0] * reduced[1] * per_pixel <= budget:
                im.draft(im.mode, reduced)
                if im.size[0] * im.size[1] * per_pixel <= budget:
                    return
                break
    raise _refused("too_many_pixels")


def _image_metadata(im: Image.Image) -> list[str]:
    found: list[str] = []
    exif = im.getexif()
    if exif or "exif" in im.info:
        found.append("exif")
    if exif.get_ifd(ExifTags.IFD.GPSInfo):
        found.append("gps")
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    if any(tag in exif or tag in exif_ifd for tag in _CAMERA_TAGS):
        found.append("camera")
    if im.info.get("icc_profile"):
        found.append("icc_profile")
    if "xmp" in im.info or "XML:com.adobe.xmp" in im.info:
        found.append("xmp")
    if "photoshop" in im.info:
        found.append("iptc")
    if "comment" in im.info:
        found.append("comment")
    text = getattr(im, "text", None) or {}  # PNG tEXt, zTXt and iTXt chunks
    if any(key != "XML:com.adobe.xmp" for key in text):
        found.append("text")
    if getattr(im, "n_frames", 1) > 1:
        found.append("extra_frames")
    return found


def _pixels_for(im: Image.Image, kind: _Kind) -> Image.Image:
    """The image in a mode `kind` can store: alpha where the format has it, else RGB or L."""
    has_alpha = im.mode in _ALPHA_MODES or "transparency" in im.info
    if im.mode in _GREY_MODES and im.mode not in {"1", "L"}:
        # 16-bit grey: convert("L") would clip every value above 255 to white.
        im = im.convert("I").point(lambda value: value * (1 / 256))
    if kind is JPEG:
        mode = "L" if im.mode in _GREY_MODES else "RGB"
    elif has_alpha:
        mode = "RGBA"
    elif kind is PNG and im.mode in _GREY_MODES:
        mode = "L"
    else:
        mode = "RGB"
    return im if im.mode == mode else im.convert(mode)


def _save_options(kind: _Kind) -> dict[str, object]:
    if kind is JPEG:
        return {"quality": JPEG_QUALITY}
    if kind is WEBP:
        return {"quality": WEBP_QUALITY}
    return {}


# --- PDFs ----------------------------------------------------------------------------------

# Keys dropped from every dictionary in the file, and what they were.
_PDF_DROPPED_KEYS = {
    "/Metadata": "xmp",  # XMP on the catalog, pages, images, fonts
    "/PieceInfo": "application_data",
    "/LastModified": "application_data",
    "/AA": "actions",  # additional actions: on open, close, page view, field focus...
    "/JS": "javascript",  # the payload of any JavaScript or rendition action, wherever it is
    "/EF": "embedded_files",  # the embedded stream of any file specification
}
# Actions that run code, start programs, send data or fetch files. /URI and /GoTo stay:
# links are content, and following one is the reader's explicit choice.
_RISKY_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "actions",
    "/SubmitForm": "actions",
    "/ImportData": "actions",
    "/GoToR": "actions",
    "/GoToE": "embedded_files",
    "/Rendition": "actions",
    "/RichMediaExecute": "actions",
    "/Movie": "actions",
    "/Sound": "actions",
}
_RISKY_ANNOTATIONS = {
    "/FileAttachment": "embedded_files",
    "/RichMedia": "actions",
    "/Screen": "actions",
    "/Movie": "actions",
    "/Sound": "actions",
}


def _clean_pdf(data: bytes) -> tuple[bytes, list[str]]:
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _refused("encrypted_pdf") from exc
    except Exception as exc:
        raise _refused("unreadable") from exc
    max_pages: int = settings.TIP_PDF_MAX_PAGES
    with pdf:
        try:
            page_count = len(pdf.pages)
            if page_count == 0:
                raise _refused("unreadable")
            if page_count > max_pages:
                raise _refused("too_many_pages", count=max_pages)
            removed = _strip_pdf(pdf)
            _check_inflated_size(pdf, settings.TIP_PDF_MAX_INFLATED_BYTES)
            out = BytesIO()
            pdf.save(
                out,
                encryption=False,  # owner-password-only files come out unrestricted
                deterministic_id=True,  # a fresh /ID from the content, not the original's
                fix_metadata_version=False,  # would write XMP back
                preserve_pdfa=False,  # would keep the PDF/A claim, which lives in XMP
                # Streams decoded and compressed again, which the size check above allows:
                # what reaches a PDF viewer is what was counted. Image codecs (JPEG, JPEG
                # 2000, CCITT, JBIG2) are copied as they are.
                compress_streams=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                recompress_flate=True,
            )
        except AttachmentRefused:
            raise
        except Exception as exc:
            raise _refused("unreadable") from exc
    return out.getvalue(), removed


# Filters qpdf decodes at StreamDecodeLevel.generalized, with the most each can multiply its
# input by; Flate is inflated and counted instead. LZW (up to ~2,500x) is refused past the cap
# on its worst case, without decoding: it is rare since Acrobat 3, unlike bombs.
_GENERALIZED_GROWTH = {
    "/ASCIIHexDecode": 1,
    "/AHx": 1,
    "/ASCII85Decode": 1,
    "/A85": 1,
    "/RunLengthDecode": 64,
    "/RL": 64,
    "/LZWDecode": 2600,
    "/LZW": 2600,
}
_FLATE = frozenset({"/FlateDecode", "/Fl"})
_INFLATE_CHUNK = 1024 * 1024


def _check_inflated_size(pdf: pikepdf.Pdf, max_bytes: int) -> None:
    """Refuse the PDF if its streams would hold more than `max_bytes` once decoded.

    Each Flate stream is inflated a chunk at a time and counted, never held whole, and the
    count stops at the cap, so a bomb costs at most one chunk of memory and the time to
    inflate `max_bytes`.
    """
    total = 0
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            total += _decoded_size(obj, max_bytes - total)
            if total > max_bytes:
                raise _refused("inflates_too_much", size=lazy(filesizeformat, str)(max_bytes))


def _decoded_size(stream: pikepdf.Stream, budget: int) -> int:
    """The stream's size once decoded by the generalized filters, or more than `budget`."""
    filters = stream.get("/Filter")
    names = (
        ([str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)])
        if filters is not None
        else []
    )
    raw = stream.read_raw_bytes()
    size = len(raw)
    for index, name in enumerate(names):
        if name in _FLATE:
            if index > 0:  # a Flate after another filter: its input is not the raw bytes
                size *= 1024  # zlib's own limit on expansion
                continue
            size = _inflated_size(raw, budget)
        elif name in _GENERALIZED_GROWTH:
            size *= _GENERALIZED_GROWTH[name]
        else:
            break  # an image codec: qpdf keeps it and what follows encoded
        if size > budget:
            break
    return size


def _inflated_size(data: bytes, budget: int) -> int:
    inflater = zlib.decompressobj()
    size = 0
    pending = data
    try:
        while pending and size <= budget:
            size += len(inflater.decompress(pending, _INFLATE_CHUNK))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # damaged: qpdf stops decoding where zlib did, and keeps the rest as it was
    return size + len(pending) if size <= budget else size


def _strip_pdf(pdf: pikepdf.Pdf) -> list[str]:
    removed: list[str] = []
    trailer = pdf.trailer
    if "/Info" in trailer:
        del trailer["/Info"]
        removed.append("document_info")
    if "/ID" in trailer:
        # qpdf keeps the first half of the original /ID, which the authoring program
        # derived from the time and path of the original file.
        del trailer["/ID"]

    root = pdf.Root
    if "/OpenAction" in root:
        removed.append(_action_label(root["/OpenAction"]) or "actions")
        del root["/OpenAction"]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, label in (("/JavaScript", "javascript"), ("/EmbeddedFiles", "embedded_files")):
            if key in names:
                del names[key]
                removed.append(label)
    if "/Collection" in root:  # a portfolio: a viewer for the embedded files removed above
        del root["/Collection"]
        removed.append("embedded_files")
    acroform = root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]
        removed.append("xfa")

    # Every indirect object, then the direct objects inside it: a linear pass that reaches
    # annotations, form fields, outlines and name trees without following their structure.
    for obj in pdf.objects:
        _scrub(obj, removed)
    return removed


def _scrub(obj: object, removed: list[str]) -> None:
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if _is_direct_container(item):
                _scrub(item, removed)
        return
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return
    for key in list(obj.keys()):
        child = obj[key]
        if _is_direct_container(child):
            _scrub(child, removed)
    for key, label in _PDF_DROPPED_KEYS.items():
        if key in obj:
            del obj[key]
            removed.append(label)
    for key in ("/A", "/Next"):
        if key in obj and (action := _action_label(obj[key])):
            del obj[key]
            removed.append(action)
    annotations = obj.get("/Annots")
    if isinstance(annotations, pikepdf.Array):
        _drop_risky_annotations(obj, annotations, removed)


def _drop_risky_annotations(
    page: pikepdf.Dictionary | pikepdf.Stream, annotations: pikepdf.Array, removed: list[str]
) -> None:
    kept = []
    for annotation in annotations:
        is_dictionary = isinstance(annotation, pikepdf.Dictionary)
        subtype = str(annotation.get("/Subtype", "")) if is_dictionary else ""
        if subtype in _RISKY_ANNOTATIONS:
            removed.append(_RISKY_ANNOTATIONS[subtype])
        else:
            kept.append(annotation)
    if len(kept) != len(annotations):
        page["/Annots"] = pikepdf.Array(kept)


def _action_label(action: object) -> str | None:
    """The `removed` label if `action` (one action or a /Next array) is risky, else None."""
    if isinstance(action, pikepdf.Array):
        labels = [label for item in action if (label := _action_label(item))]
        return labels[0] if labels else None
    if not isinstance(action, pikepdf.Dictionary):
        return None
    kind = action.get("/S")
    return _RISKY_ACTIONS.get(str(kind)) if kind is not None else None


def _is_direct_container(obj: object) -> bool:
    # Indirect children are visited in their own right by the loop over pdf.objects; not
    # following them keeps the pass linear and immune to reference cycles.
    return isinstance(obj, pikepdf.Dictionary | pikepdf.Array) and not obj.is_indirect
