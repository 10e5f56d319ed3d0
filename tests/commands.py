"""Management commands called in the test process."""

from __future__ import annotations

import io

from django.core.management import call_command


def run(*args: str, **options: object) -> str:
    """Run a management command; return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()
