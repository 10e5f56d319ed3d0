"""cProfile breakdowns: cumulative time of named steps per request, and the top functions.

cProfile inflates Python-heavy code, so these say where the time goes, not how long it takes.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Sequence
from typing import Any

from bench.harness.env import ROOT

# (label, file suffix, space-separated function names): one step of a request.
Step = tuple[str, str, str]
Table = dict[tuple[str, int, str], tuple[Any, ...]]


def profiled(work: Callable[[], object], rounds: int) -> Table:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        work()
    profiler.disable()
    return pstats.Stats(profiler).stats  # type: ignore[attr-defined]


def cumulative(table: Table, module: str, functions: str) -> float:
    names = functions.split()
    return sum(v[3] for k, v in table.items() if k[0].endswith(module) and k[2] in names)


def print_breakdown(
    columns: Sequence[tuple[str, Table]], steps: Sequence[Step], rounds: int
) -> None:
    """Cumulative ms per request of each step, one column per profiled kind of request; with
    one column, each step's share of the first step (the whole request) too."""
    if len(columns) > 1:
        print(f"  {'':<46} " + " ".join(f"{name[:22]:>22}" for name, _table in columns))
    whole = [cumulative(table, *steps[0][1:]) or 1.0 for _name, table in columns]
    for label, module, functions in steps:
        spent = [cumulative(table, module, functions) for _name, table in columns]
        figures = " ".join(f"{s / rounds * 1000:22.2f}" for s in spent)
        share = f"  {spent[0] / whole[0] * 100:5.1f}%" if len(columns) == 1 else ""
        print(f"  {label:<46} {figures}{share}")


def print_top(table: Table, rounds: int, count: int) -> None:
    own = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)
    for (filename, line, function), (_cc, calls, tottime, _ct, _callers) in own[:count]:
        where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        print(
            f"    {tottime / rounds * 1000:6.3f} ms {calls / rounds:7.1f}/req  "
            f"{where}:{line} {function}"
        )
