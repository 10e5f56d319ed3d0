"""Tip numbers: `T-YYYY-NNNNN`, sequential per year, for people to say and type.

The UUID `code` stays the tip's identity in URLs and the vault; the number is what staff read
out on the phone, paste into "duplicate of" and search for. It is assigned inside the
submission's transaction by one statement on a per-year counter row:

    INSERT INTO tips_tipnumbercounter (year, last) VALUES (%s, 1)
    ON CONFLICT (year) DO UPDATE SET last = tips_tipnumbercounter.last + 1 RETURNING last

(PostgreSQL and SQLite >= 3.35 both speak it). On PostgreSQL the counter row stays locked
until the commit, so two submissions cannot get the same number and a rolled-back one gives
its number back. That is a serialisation point, so `number_tip` runs as the last step before the
TIP_SUBMITTED audit entry, which already takes the portal-wide append lock and holds it to the
commit: the counter lock is held for the same stretch as the audit lock, not for the sealing and
storage work before it, and adds no wait of its own beyond one UPDATE. On SQLite the
transaction already holds the database's one write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import re

from django.db import connection
from django.utils import timezone

from tips.models import Tip, TipNumberCounter

WIDTH = 5
# What a person may type: "T-2026-00421", "t-2026-421", "2026-421".
TYPED = re.compile(r"^\s*(?:T-?)?(\d{4})-0*(\d{1,9})\s*$", re.IGNORECASE)


def format_number(year: int, serial: int) -> str:
    return f"T-{year}-{serial:0{WIDTH}d}"


def parse_number(text: str) -> str | None:
    """The canonical number for what was typed, or None when it is no tip number."""
    match = TYPED.match(text or "")
    if match is None or int(match.group(2)) == 0:
        return None
    return format_number(int(match.group(1)), int(match.group(2)))


def _counter_sql() -> str:
    table = connection.ops.quote_name(TipNumberCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - the table name only
        f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )


def next_serial(year: int) -> int:
    """The next serial of the year, in the caller's transaction (its row stays locked)."""
    with connection.cursor() as cursor:
        cursor.execute(_counter_sql(), [year])
        row = cursor.fetchone()
    return int(row[0])


def number_tip(tip: Tip) -> str:
    """Give a stored tip its number (one counter statement and one UPDATE)."""
    year = timezone.localtime(tip.created_at).year
    tip.number = format_number(year, next_serial(year))
    Tip.objects.filter(pk=tip.pk).update(number=tip.number)
    return tip.number
