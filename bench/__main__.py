"""`make bench`: run every bench/bench_*.py module's `main()`, or those named on the command line.

Each benchmark measures its own baseline in the same run and reports ratios against it, so the
numbers mean the same on a laptop and on a server.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
    import django

    django.setup()
    # `python -m bench submit` and `python -m bench bench_submit` name the same module.
    names = [name if name.startswith("bench_") else f"bench_{name}" for name in argv] or sorted(
        p.stem for p in Path(__file__).parent.glob("bench_*.py")
    )
    if not names:
        print("no benchmarks found in bench/")
        return 1
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
