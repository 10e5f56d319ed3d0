"""The one table `make bench` ends with, and the same figures as JSON under `var/bench/`.

Each measurement calls `figure()` for the numbers that have a target: what we measured, the
baseline measured in the same run (the one-row insert, the page that reads no tips, a bare
loop), their ratio, the target and the verdict. Measurements that run in a child process
(the triage pages, the in-process submission) reach the same table: every figure is appended
as one JSON line to the file named by BENCH_SUMMARY_FILE, which `python -m bench` sets and
which children inherit with the other BENCH_* variables.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

SUMMARY_FILE = "BENCH_SUMMARY_FILE"
FORMAT_VERSION = 1


def _number(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), 4)


def figure(
    measurement: str,
    name: str,
    ours: float,
    *,
    unit: str = "",
    baseline: float | None = None,
    target: str = "",
    ok: bool | None = None,
) -> None:
    """Record one figure of the summary; `ok` None means reported without a target."""
    ratio = ours / baseline if baseline else None
    entry = {
        "measurement": measurement,
        "figure": name,
        "ours": _number(ours),
        "baseline": _number(baseline),
        "ratio": _number(ratio),
        "unit": unit,
        "target": target,
        "verdict": "" if ok is None else ("ok" if ok else "MISSED"),
    }
    path = os.environ.get(SUMMARY_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _shown(value: float | None, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f} {unit}".rstrip()


def table(entries: list[dict[str, Any]]) -> str:
    """The summary as aligned text: figure, ours, baseline, ratio, target, verdict."""
    header = ("figure", "ours", "baseline (same run)", "ratio", "target", "verdict")
    rows = [
        (
            f"{entry['measurement']}: {entry['figure']}",
            _shown(entry["ours"], entry["unit"]),
            _shown(entry["baseline"], entry["unit"]),
            _shown(entry["ratio"], digits=3),
            entry["target"] or "-",
            entry["verdict"] or "-",
        )
        for entry in entries
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            str(cell).ljust(widths[i]) if i in (0, 4, 5) else str(cell).rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _commit(root: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip()


def write_json(entries: list[dict[str, Any]], root: Path, names: list[str]) -> Path:
    """var/bench/<UTC time>.json: the figures with what is needed to compare runs later."""
    now = dt.datetime.now(dt.UTC)
    folder = root / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now:%Y%m%dT%H%M%SZ}.json"
    document = {
        "format": FORMAT_VERSION,
        "finished_at": now.isoformat(timespec="seconds"),
        "commit": _commit(root),
        "measurements": names,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            # The load when the run ended: other work on the machine weighs on every figure.
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "figures": entries,
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path
