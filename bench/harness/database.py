"""Bench databases: a fresh PostgreSQL database per run, or Django's scratch test database."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness.env import PG_URL


def admin_connection(dbname: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(f"{PG_URL}/{dbname}", autocommit=True)


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """An empty PostgreSQL database (a leftover of an earlier run is dropped), dropped after."""
    drop_database(name)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):
            drop_database(name)


def backend_pids(name: str) -> list[int]:
    """The server processes serving connections to database `name` (for their CPU time)."""
    with admin_connection() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


@contextlib.contextmanager
def scratch_test_database() -> Iterator[Any]:
    """Django's test database for the configured one, migrated: a SQLite file in a temporary
    directory, or `test_<name>` on PostgreSQL. Destroyed afterwards; yields the connection."""
    from django.db import connection

    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    with tempfile.TemporaryDirectory(prefix="bench-scratch-") as tmp:
        if connection.vendor == "sqlite":
            settings_dict.setdefault("TEST", {})["NAME"] = str(Path(tmp) / "bench.sqlite3")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            yield connection
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
