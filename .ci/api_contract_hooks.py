"""Schemathesis hooks for the API contract run (.ci/api-contract): what a valid attachment is.

The schema says an attachment is a JPEG, PNG, GIF, WebP, HEIC or PDF file; random bytes are none
of these and the portal rightly refuses them. Give the fuzzer real small images and PDFs so
"schema-valid" requests carry files the portal can clean.
"""

from __future__ import annotations

import io

import pikepdf
import schemathesis
from hypothesis import strategies as st
from PIL import Image


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page(page_size=(200, 200))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_sizes = st.tuples(st.integers(1, 64), st.integers(1, 64))
_colours = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
_files = st.one_of(
    st.builds(_png, _sizes, _colours),
    st.builds(_jpeg, _sizes, _colours),
    st.builds(_pdf, st.integers(1, 3)),
)

schemathesis.openapi.format("binary", _files)
