"""Which database the tests run on, for behaviour only PostgreSQL has (row locks, triggers that
can be disabled, a server to restart)."""

from __future__ import annotations

import pytest
from django.db import connection


def postgres_only(why: str) -> pytest.MarkDecorator:
    """Skip on SQLite, saying why the test needs PostgreSQL and how to run it there."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"{why}: run with DATABASE_URL=postgres://... (CI does)",
    )
