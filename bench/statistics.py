"""Statistics page and export: p95 at 100,000 and 1,000,000 tips, against a plain COUNT(*).

`make bench`, or on its own: `.venv/bin/python -m bench statistics`.

On a scratch database (SQLite file, or PostgreSQL when DATABASE_URL names one), tips are loaded
in bulk over the last year (BENCH_STATISTICS_TIPS sizes, default "100000,1000000"; each size
adds tips to the last): varied category, area, priority level, claim time and close reason, a
handoff for one tip in ten (some accepted), a tombstone for one in fifty. At each size the daily
roll-ups are rebuilt from nothing (`stats.rollup.roll_up()`, timed), then BENCH_STATISTICS_RUNS
(default 15) requests of each are timed, interleaved:
- the supervisor's page `/triage/statistics/` for the whole year (every chart and table);
- its CSV export;
- the baseline: `SELECT COUNT(*)` over the same year's tips.
Reported: p95 of each, and the growth of each from the first size to the last; the page and
the export should grow less than 1.5 times the baseline's growth.
"""

from __future__ import annotations

import math
import os
import random
import time
import uuid
from datetime import timedelta
from typing import Any

from bench.harness.database import scratch_test_database
from bench.harness.summary import figure

CHUNK = 5000
CATEGORIES = ("sex_trafficking", "labor_trafficking", "minor_exploitation", "online_enticement",
              "illicit_massage", "suspicious_activity", "victim_needs_help", "other")  # fmt: skip
AREAS = ("kansas_city_ks", "kansas_city_mo", "overland_park", "olathe", "lenexa", "shawnee",
         "independence", "lees_summit", "bonner_springs", "elsewhere", "")  # fmt: skip
LEVELS = ("urgent", "high", "normal", "low")
REASONS = ("", "", "", "resolved", "unfounded", "duplicate", "insufficient_information", "spam")


def load(count: int, organizations: list[Any], creator: Any, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from handoffs.models import Handoff
    from retention.models import TipTombstone
    from tips.models import Tip

    now = timezone.now()
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        tips, stones = [], []
        for _ in range(size):
            created = now - timedelta(seconds=rng.randrange(364 * 86400))
            level, reason = rng.choice(LEVELS), rng.choice(REASONS)
            claimed = (
                created + timedelta(minutes=rng.expovariate(1 / 90)) if rng.random() < 0.9 else None
            )
            fields = {
                "created_at": created, "category": rng.choice(CATEGORIES),
                "area": rng.choice(AREAS), "priority_level": level,
            }  # fmt: skip
            if rng.random() < 0.02:
                stones.append(TipTombstone(code=uuid.UUID(int=rng.getrandbits(128), version=4),
                                           purged_at=now, close_reason=reason or "spam",
                                           **fields))  # fmt: skip
                continue
            tips.append(
                Tip(what=fields["category"], status="closed" if reason else "in_review",
                    close_reason=reason, immediate_danger="no",
                    minor_involved="yes" if rng.random() < 0.1 else "no",
                    victim_self_report=rng.random() < 0.05, priority_score=50,
                    computed_level=level, content=b"x", receipt_lookup=rng.randbytes(32),
                    tipster_public_key=b"x", sla_due_at=created + timedelta(minutes=60),
                    claimed_at=claimed, updated_at=created, **fields)
            )  # fmt: skip
        with transaction.atomic():
            Tip.objects.bulk_create(tips, batch_size=1000)
            TipTombstone.objects.bulk_create(stones, batch_size=1000)
            Handoff.objects.bulk_create(
                (
                    Handoff(tip=tip, organization=rng.choice(organizations), created_by=creator,
                            created_at=tip.created_at + timedelta(hours=2),
                            updated_at=tip.created_at, request=b"x",
                            services=rng.sample(["housing", "shelter", "medical", "counseling",
                                                 "legal"], 2),
                            status="accepted" if accepted else "pending",
                            accepted_at=tip.created_at + timedelta(hours=5) if accepted else None,
                            sla_due_at=tip.created_at + timedelta(hours=26))
                    for tip in tips
                    if rng.random() < 0.1
                    for accepted in [rng.random() < 0.7]
                ),
                batch_size=1000,
            )  # fmt: skip


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def create_supervisor() -> Any:
    from portal.accounts import actions

    user, _ = actions.do_create_staff(
        "bench-supervisor",
        role="supervisor",
        password="bench-password-1234",  # noqa: S106 - a scratch database
        acting_user=None,
    )
    return user


def signed_in(user: Any) -> Any:
    """A fresh staff session: loading and rolling up a million tips outlasts the idle sign-out."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Any, runs: int) -> dict[str, float]:
    from django.utils import timezone

    from stats.facts import bounds
    from tips.models import Tip

    today = timezone.localdate()
    start = today - timedelta(days=364)
    params = {"from": start.isoformat(), "to": today.isoformat()}
    low, high = bounds(start, today)
    samples: dict[str, list[float]] = {"page": [], "export": [], "count": []}
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get("/triage/statistics/", params)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        samples["page"].append(time.perf_counter() - began)
        began = time.perf_counter()
        assert client.get("/triage/statistics/export.csv", params).status_code == 200
        samples["export"].append(time.perf_counter() - began)
        began = time.perf_counter()
        Tip.objects.filter(created_at__gte=low, created_at__lt=high).count()
        samples["count"].append(time.perf_counter() - began)
    return {name: p95(values) * 1000 for name, values in samples.items()}


def main() -> None:
    from django.conf import settings

    settings.DEBUG = False
    sizes = [int(n) for n in os.environ.get("BENCH_STATISTICS_TIPS", "100000,1000000").split(",")]
    runs = int(os.environ.get("BENCH_STATISTICS_RUNS", "15"))
    rng = random.Random(19)  # noqa: S311 - repeatable bench data, nothing secret
    with scratch_test_database() as connection:
        from partners.models import Organization
        from portal import vault
        from stats import rollup
        from stats.models import DailyCount, RollupState

        vault.initialize()
        print(f"database: {connection.vendor} (scratch copy, dropped afterwards)")
        creator = create_supervisor()
        organizations = [
            Organization.objects.create(slug=f"org-{n}", name=f"Organization {n}") for n in range(6)
        ]
        results: list[tuple[int, dict[str, float]]] = []
        loaded = 0
        for size in sizes:
            began = time.perf_counter()
            load(size - loaded, organizations, creator, rng)
            loaded = size
            print(
                f"loaded {size:,} tips in all ({time.perf_counter() - began:.0f} s for this step)"
            )
            RollupState.objects.all().delete()
            DailyCount.objects.all().delete()
            began = time.perf_counter()
            days = rollup.roll_up()
            print(f"  roll-up from nothing: {days} days in {time.perf_counter() - began:.1f} s, "
                  f"{DailyCount.objects.count():,} rows")  # fmt: skip
            client = signed_in(creator)
            measure(client, 2)  # warm
            figures = measure(client, runs)
            results.append((size, figures))
            for name in ("page", "export"):
                figure(
                    "statistics",
                    f"{name} p95 at {size:,} tips",
                    figures[name],
                    unit="ms",
                    baseline=figures["count"],
                )
            print(
                f"  p95 over {runs} runs: page {figures['page']:.1f} ms, export "
                f"{figures['export']:.1f} ms, COUNT(*) {figures['count']:.1f} ms"
            )
    if len(results) > 1:
        (small, first), (large, last) = results[0], results[-1]
        base = last["count"] / first["count"]
        print(f"growth {small:,} -> {large:,} tips: COUNT(*) x{base:.2f}")
        for name in ("page", "export"):
            growth = last[name] / first[name]
            verdict = "ok" if growth < 1.5 * base else "OVER"
            figure(
                "statistics",
                f"{name} p95 growth {small:,} to {large:,} tips",
                growth,
                baseline=base,
                target="ratio < 1.5 (against COUNT(*)'s growth)",
                ok=growth < 1.5 * base,
            )
            print(f"  {name}: x{growth:.2f} = {growth / base:.2f} of the baseline's growth "
                  f"(limit 1.5): {verdict}")  # fmt: skip
