"""How big and how long: the BENCH_TRIAGE_* settings of the staff-page measurements."""

import os

SIZES = [int(n) for n in os.environ.get("BENCH_TRIAGE_SIZES", "100000,1000000").split(",")]
REAL_TIPS = int(os.environ.get("BENCH_TRIAGE_REAL_TIPS", "200"))
REQUESTS = int(os.environ.get("BENCH_TRIAGE_REQUESTS", "300"))
WARMUP = int(os.environ.get("BENCH_TRIAGE_WARMUP", "30"))
EXTRA_REQUESTS = int(os.environ.get("BENCH_TRIAGE_EXTRA_REQUESTS", "60"))
DEEP_PAGES = int(os.environ.get("BENCH_TRIAGE_DEEP_PAGES", "20"))
