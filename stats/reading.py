"""One entry point for every reader (pages, export, API): the statistics a scope may see."""

from __future__ import annotations

from typing import Any

from stats import rollup, summary
from stats.access import Scope
from stats.rollup import Filters


def statistics(filters: Filters, scope: Scope, *, handoffs_only: bool = False) -> dict[str, Any]:
    cells = rollup.read(filters, scope.organization_id)
    return summary.summarize(
        cells,
        filters,
        handoffs_only=handoffs_only or not scope.tips,
        min_cell=scope.min_cell,
    )
