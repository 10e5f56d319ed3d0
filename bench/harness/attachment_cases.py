"""The worst attachments the limits accept, and bombs just past them, cleaned in a child process.

`python -m bench.harness.attachment_cases CASE` builds the file named CASE under the current
settings (DJANGO_SETTINGS_MODULE), cleans it with `clean_upload` and prints one JSON line:
the peak resident memory the cleaning added (VmHWM after, less VmRSS before, the high-water
mark reset first), its CPU and wall time, the outcome ("stored" or the refusal code) and the
sizes. A process of its own, so the peak is that of cleaning this one file and nothing else.
Used by the regression tests (tests/tips/test_attachment_cost.py) and `python -m bench
attachments`.
"""

from __future__ import annotations

import gc
import json
import math
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ORIENTATION = 0x0112
TURNED = 6  # "rotate 90° clockwise": cleaning makes a turned copy, the worst case of all
GIB = 1024**3


def _encoded(mode: str, size: tuple[int, int], fmt: str, *, turned: bool = True) -> bytes:
    from PIL import Image

    options: dict[str, object] = {}
    if turned:
        exif = Image.Exif()
        exif[ORIENTATION] = TURNED
        options["exif"] = exif.tobytes()
    out = BytesIO()
    Image.new(mode, size, "blue").save(out, fmt, **options)
    return out.getvalue()


def _side(pixels: int) -> int:
    return math.isqrt(pixels)


def _memory_pixels(fmt: str) -> int:
    """The most pixels an image of `fmt` may have for the memory budget."""
    from django.conf import settings

    from tips.attachments import _BYTES_PER_PIXEL

    return int(settings.TIP_IMAGE_MEMORY_BYTES // _BYTES_PER_PIXEL[fmt])


def worst_png() -> tuple[str, bytes]:
    """RGB at the largest accepted size, turned: decoded, then a turned copy."""
    side = _side(_memory_pixels("PNG"))
    return "worst.png", _encoded("RGB", (side, side), "PNG")


def png_over_budget() -> tuple[str, bytes]:
    side = _side(_memory_pixels("PNG")) + 2
    return "over.png", _encoded("RGB", (side, side), "PNG", turned=False)


def png_over_limit() -> tuple[str, bytes]:
    """A tiny PNG whose header claims more pixels than TIP_IMAGE_MAX_PIXELS."""
    import struct

    from django.conf import settings

    data = bytearray(_encoded("RGB", (1, 1), "PNG", turned=False))
    side = _side(settings.TIP_IMAGE_MAX_PIXELS) + 2
    data[16:24] = struct.pack(">II", side, side)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return "claims.png", bytes(data)


def worst_jpeg() -> tuple[str, bytes]:
    """A JPEG at TIP_IMAGE_MAX_PIXELS, turned: decoded at a reduced size."""
    from django.conf import settings

    side = _side(settings.TIP_IMAGE_MAX_PIXELS)
    return "worst.jpg", _encoded("RGB", (side, side), "JPEG")


def worst_webp() -> tuple[str, bytes]:
    side = min(_side(_memory_pixels("WEBP")), 16383)
    return "worst.webp", _encoded("RGBA", (side, side), "WEBP")


def _pdf_inflating_to(size: int) -> bytes:
    """One page whose content stream is `size` bytes of spaces, Flate-compressed (~1000:1)."""
    import pikepdf

    deflater = zlib.compressobj(9)
    chunk = b" " * (16 * 1024 * 1024)
    parts, left = [], size
    while left > 0:
        parts.append(deflater.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(deflater.flush())
    document = pikepdf.new()
    document.add_blank_page()
    content = pikepdf.Stream(document, b"".join(parts))
    content["/Filter"] = pikepdf.Name.FlateDecode
    document.pages[0].Contents = document.make_indirect(content)
    out = BytesIO()
    # As built: qpdf must not decode (and so hold) the stream it is given to write.
    document.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def pdf_bomb() -> tuple[str, bytes]:
    """A 1 GiB Flate stream (about 1 MB on disk)."""
    return "bomb.pdf", _pdf_inflating_to(GIB)


def worst_pdf() -> tuple[str, bytes]:
    """Streams that inflate to just under TIP_PDF_MAX_INFLATED_BYTES: accepted, recompressed."""
    from django.conf import settings

    return "worst.pdf", _pdf_inflating_to(settings.TIP_PDF_MAX_INFLATED_BYTES - 64 * 1024)


CASES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "worst_png": worst_png,
    "png_over_budget": png_over_budget,
    "png_over_limit": png_over_limit,
    "worst_jpeg": worst_jpeg,
    "worst_webp": worst_webp,
    "worst_pdf": worst_pdf,
    "pdf_bomb": pdf_bomb,
}


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def measure(case: str) -> dict[str, object]:
    import pikepdf
    from PIL import Image

    from tips.attachments import AttachmentRefused, clean_upload

    name, data = CASES[case]()
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before = _status_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result: dict[str, object] = {"case": case, "name": name, "bytes": len(data)}
    try:
        cleaned = clean_upload(name, data)
    except AttachmentRefused as refused:
        result["outcome"] = refused.code
    else:
        result["outcome"] = "stored"
        result["stored_bytes"] = len(cleaned.data)
        if cleaned.content_type == "application/pdf":
            with pikepdf.open(BytesIO(cleaned.data)) as document:
                result["pages"] = len(document.pages)
        else:
            result["size"] = list(Image.open(BytesIO(cleaned.data)).size)
    result["seconds"] = time.perf_counter() - wall
    result["cpu_seconds"] = time.process_time() - cpu
    result["peak_mb"] = _status_mb("VmHWM") - before
    return result


def run(case: str, env: dict[str, str] | None = None, timeout: float = 300) -> dict[str, object]:
    """`measure(case)` in a fresh child process (the project's settings unless `env` says)."""
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    output = subprocess.run(
        [sys.executable, "-m", "bench.harness.attachment_cases", case],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout
    return dict(json.loads(output.splitlines()[-1]))


def main(case: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    print(json.dumps(measure(case)))


if __name__ == "__main__":
    main(sys.argv[1])
