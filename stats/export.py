"""The CSV export of a statistics page: every table, counts only, small numbers protected.

One header row (`table,week,key,value`), one row per number; `table` names the JSON path of
`GET /api/v1/statistics/` it comes from, `week` is the ISO date of the week's Monday where the
table is weekly. UTF-8 with a byte-order mark, so spreadsheet programs read it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

HEADER = ("table", "week", "key", "value")


def rows(table: str, value: Any, week: str = "") -> Iterator[tuple[str, str, str, Any]]:
    if isinstance(value, list):
        for item in value:
            rest = {key: inner for key, inner in item.items() if key != "week"}
            yield from rows(table, rest, item["week"])
        return
    for key, inner in value.items():
        if isinstance(inner, dict | list):
            yield from rows(f"{table}.{key}", inner, week)
        else:
            yield table, week, key, "" if inner is None else inner


def to_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for part, value in data.items():
        writer.writerows(rows(part, value))
    return out.getvalue()
