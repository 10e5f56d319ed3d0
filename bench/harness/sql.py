"""Queries per request, their time in the driver, and what PostgreSQL's plans say."""

from __future__ import annotations

import re
import time
from typing import Any

# Django logs these as queries too (debug_transaction); they are not queries here.
TRANSACTION_STATEMENTS = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})


class QueryTimer:
    """An execute wrapper: every query of a block with its own time (CaptureQueriesContext
    rounds to milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql))

    @property
    def seconds(self) -> float:
        return sum(seconds for seconds, _sql in self.queries)


def explain(sql: str, params: Any = None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement, as run on the default connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return [line for (line,) in cursor.fetchall()]


def plan_summary(plan: list[str]) -> str:
    """Which index (or scan), rows thrown away by a filter, sort, execution time."""
    text = "\n".join(plan)
    scans = re.findall(r"((?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)[^(]*)", text)
    removed = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text))
    sort = re.findall(r"Sort Method: ([^\n]+)", text)
    executed = re.search(r"Execution Time: ([\d.]+) ms", text)
    parts = [" + ".join(dict.fromkeys(s.strip() for s in scans)) or "no scan?"]
    if removed:
        parts.append(f"{removed:,} rows removed by filter")
    if sort:
        parts.append(f"sort: {sort[0].strip()}")
    parts.append(f"{executed.group(1) if executed else '?'} ms")
    return "; ".join(parts)


def shorten(sql: str, width: int = 200) -> str:
    """One line of SQL fit to print: column lists elided, and long literals (a session's key and
    data among them)."""
    sql = " ".join(sql.split())
    sql = re.sub(r"'[^']{32,}'", "'...'", sql)
    sql = re.sub(r'SELECT "tips_tip"\."id", .*? FROM', 'SELECT "tips_tip".* FROM', sql)
    sql = re.sub(r'"portal_user"\."id", .*? FROM', '"portal_user".* FROM', sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."
