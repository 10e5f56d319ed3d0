"""`make bench`: every measurement, or those named: `python -m bench submit queue`.

Each measurement measures its own baseline in the same run and reports ratios against it, so
the numbers mean the same on a laptop and on a server. `python -m bench --list` names them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
from pathlib import Path

from bench.measurements import GROUPS, MEASUREMENTS, ON_TRIAGE_DATABASE


def summary(name: str) -> str:
    """The first line of the measurement's docstring, read from its file: importing it would
    need Django set up."""
    from importlib.util import find_spec

    spec = find_spec(MEASUREMENTS[name])
    assert spec is not None and spec.origin is not None
    with open(spec.origin) as source:
        return source.read().split('"""', 2)[1].strip().splitlines()[0]


def selected(names: list[str]) -> list[str]:
    """Measurement names in run order; `bench_submit` and `submit` name the same one."""
    chosen: list[str] = []
    for given in names:
        name = given.removeprefix("bench_")
        for one in GROUPS.get(name, (name,)):
            if one not in MEASUREMENTS:
                raise SystemExit(f"unknown measurement {given!r}; see python -m bench --list")
            if one not in chosen:
                chosen.append(one)
    return [name for name in MEASUREMENTS if name in chosen] if chosen else list(MEASUREMENTS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the portal; settings are BENCH_* environment variables"
        " (each measurement's docstring lists its own).",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="measurement",
        help=f"{', '.join(MEASUREMENTS)}, or triage ({', '.join(ON_TRIAGE_DATABASE)});"
        " all of them when none is named",
    )
    parser.add_argument("--list", action="store_true", help="name the measurements and stop")
    args = parser.parse_args(argv)
    if args.list:
        for name in MEASUREMENTS:
            print(f"{name:<18} {summary(name)}")
        return 0
    names = selected(args.names)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    from bench.harness import summary as figures_table
    from bench.harness.env import ROOT

    on_triage_database = [name for name in names if name in ON_TRIAGE_DATABASE]
    with tempfile.TemporaryDirectory(prefix="bench-summary-") as tmp:
        # Children (the triage pages, the in-process submission) add their figures here too.
        figures = Path(tmp) / "figures.jsonl"
        os.environ[figures_table.SUMMARY_FILE] = str(figures)
        try:
            for name in names:
                if name in ON_TRIAGE_DATABASE:
                    if name == on_triage_database[0]:
                        from bench import triage_run

                        print(f"== {', '.join(on_triage_database)}", flush=True)
                        triage_run.main(on_triage_database)
                    continue
                print(f"== {name}", flush=True)
                importlib.import_module(MEASUREMENTS[name]).main()
        finally:
            # Also after a failure: the figures measured so far are worth keeping.
            entries = figures_table.read(figures)
            print("== summary", flush=True)
            print(figures_table.table(entries) if entries else "  no figures were recorded")
            written = figures_table.write_json(entries, ROOT, names)
            print(f"figures written to {written.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
