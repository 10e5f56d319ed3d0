"""Triage at scale: the queue and the tip page at 100,000 and at 1,000,000 tips, on PostgreSQL.

`make bench`, or on its own: `.venv/bin/python -m bench triage`.

Targets (DESIGN issue): the queue's first page p95 < 50 ms at 1M tips, and its p95 grows at
most 1.2x from 100k to 1M tips; the tip page (decryption, related tips, audit trail) p95 < 80 ms.

1. Setup, in a child process (`python -m bench.bench_triage --child`) with the production
   profile (DEBUG off, fixed bench secrets, collected static files, Argon2id at production
   cost): a fresh database `tipportal_bench_triage` (dropped first if it exists), migrated; the
   vault initialised; an investigator holding the triage desk (granted with the recovery key),
   a supervisor and four more investigators to assign tips to.
2. Data: BENCH_TRIAGE_REAL_TIPS (default 200) real tips through `do_submit_tip`, with
   identifiers, some shared between tips (so related tips are found and confirmed), no
   attachments. Then synthetic tips by binary COPY, straight into the tables, in batches:
   `tips_tip` (statuses, categories, scores computed by `tips.scoring` from random facts, with
   their reasons, levels and ranks, 2 years of `created_at`, SLA, assignees, and byte columns
   as long as the real tips' ones), plus what a real tip brings along: its blind-index
   `Identifier` rows (16-bit digests), its data key wrapped to the triage desk (`WrappedKey`,
   random bytes of the real length) and its audit entries (TIP_SUBMITTED, TIP_CLAIMED),
   chained like `audit.record` chains them. Synthetic tips whose blind index collides with a
   real tip's (which the related-tips lookup then has to decrypt to rule out, as it would in
   production) are sealed for real. ANALYZE after each load.
3. At each size (BENCH_TRIAGE_SIZES, default 100000,1000000), signed in through the real web
   sign-in (password, then TOTP: the vault unlocked in the session), with Django's test client
   in this process: after a warm-up, BENCH_TRIAGE_REQUESTS (default 300) requests of each
   kind, in alternating rounds: the queue's first page (HTML and API), `?status=new`, a page
   20 `next` cursors deep (API and HTML), the tip page of each real tip, and a reference page
   that reads no tips (`/staff/`: what the machine's speed did between the two sizes). Then
   p50/p95/p99, queries per request (CaptureQueriesContext) and their time in the database
   driver, the slowest query of each kind, who used the CPU meanwhile, the tip page's time
   against the number of related-tip candidates it decrypts, and EXPLAIN (ANALYZE, BUFFERS) of
   the queue queries as Django ran them: which index serves them.
4. Growth from the smallest to the largest size: p50 and p95 ratios, raw and divided by the
   reference page's ratio (the verdict uses the latter).
5. At the largest size, more of the queue (fewer requests each): other filters, pages far
   down the queue, and candidate fixes tried in the bench only (an index created in the bench
   database, a query shape or a page patched in this process, no file edited), each timed
   against the page as it is, in the same run; then a cProfile breakdown of the queue pages
   and the tip page.
6. Clean-up: the database is dropped, the temporary directory removed.

Environment: BENCH_TRIAGE_SIZES, BENCH_TRIAGE_REAL_TIPS, BENCH_TRIAGE_REQUESTS,
BENCH_TRIAGE_WARMUP (30), BENCH_TRIAGE_EXTRA_REQUESTS (60), BENCH_TRIAGE_DEEP_PAGES (20),
BENCH_PG_URL. Before each heavy phase it waits (up to 20 minutes) for `python -m bench submit`
to finish, so the two benchmarks do not skew each other, then (up to 10 minutes) for other
processes to leave at least 75% of the CPU free; what they used anyway is reported.

Measured with this bench on this machine (2 cores, others < 10% of the CPU; about 15 min a run,
4 of them loading 900k tips at ~3,900 tips/s):
- Queue, first page, 1M tips: HTML p50 27 / p95 36 ms, API 10 / 14 ms, growth from 100k
  0.93-1.0x at p95. The queue query is an Index Scan on tip_open_queue, 0.1-0.2 ms; the page's
  six queries ~4 ms. The rest of the HTML page is template rendering (~2,350 gettext calls a
  page, mostly `get_FOO_display` hashing lazy choice labels): 25 rows a page 17.5 ms p50
  instead of 26.5, labels from a dict 22 ms.
- Pages far down the queue are not what the keyset cursor promises: its OR of four conditions
  is a filter, not an index bound, so the scan reads every row before the cursor: page 21 costs
  ~1.5 ms (1,000 rows skipped), a page halfway down 700k open tips 1.2 s, at 90% 2 s. A row
  comparison over an all-ascending index, `(level_rank, (priority_score * -1), created_at, id)
  WHERE NOT status = 'closed'` (27 MB), answers the page at 90% in 10 ms.
- `?priority_level=low` 1.6 s (485k rows filtered out): 26 ms with `level_rank = rank` added.
  `?include_closed=1` 0.7-0.8 s (sequential scan, top-N sort): 25 ms with a non-partial
  `(level_rank, priority_score DESC, created_at, id)` index (39 MB).
- Tip page: p50 46 -> 58 ms, p95 64 -> 85 ms from 100k to 1M: ~35 ms + 0.7 ms per related-tip
  candidate, and with a 16-bit blind index the candidates grow with the number of tips (mean 20
  -> 37 here, at most 200: ~170 ms). Without the related-tips panel 21 / 26 ms; the panel alone
  (its API endpoint) 37 / 55 ms; candidates' identifiers not re-extracted from their text:
  41 / 52 ms.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tipportal_bench_triage"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
SIZES = [int(n) for n in os.environ.get("BENCH_TRIAGE_SIZES", "100000,1000000").split(",")]
REAL_TIPS = int(os.environ.get("BENCH_TRIAGE_REAL_TIPS", "200"))
REQUESTS = int(os.environ.get("BENCH_TRIAGE_REQUESTS", "300"))
WARMUP = int(os.environ.get("BENCH_TRIAGE_WARMUP", "30"))
EXTRA_REQUESTS = int(os.environ.get("BENCH_TRIAGE_EXTRA_REQUESTS", "60"))
DEEP_PAGES = int(os.environ.get("BENCH_TRIAGE_DEEP_PAGES", "20"))
ROUNDS = 6
TXN = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
BATCH = 20_000
QUICK_BUDGET = 30.0  # seconds per diagnostic measurement, at least 10 requests
QUIET_WAIT_SECONDS = 20 * 60
# Other load: wait up to this long for other processes to use at most this % of the machine.
BUSY_WAIT_SECONDS = 10 * 60
BUSY_LIMIT = 25.0
OTHER_BENCH = "bench (bench_)?submit"  # `python -m bench submit` / `... bench_submit`

REFERENCE = "reference: /staff/ (reads no tips)"
TARGET_QUEUE_P95 = 50.0
TARGET_GROWTH = 1.2
TARGET_TIP_P95 = 80.0

# Fixed secrets for the bench database only (it is dropped at the end).
BENCH_SECRETS = {
    "SECRET_KEY": "bench-triage-secret-key-not-for-production-0123456789abcdef0123",
    "AUDIT_SIGNING_KEY": "bench-triage-audit-signing-key-0123456789abcdef",
    "VAULT_PASSWORD_PEPPER": "bench-triage-vault-pepper-0123456789abcdef0123",
    "VAULT_RECEIPT_KEY": "bench-triage-vault-receipt-key-0123456789abcdef",
    "VAULT_INDEX_KEY": "bench-triage-vault-index-key-0123456789abcdef01",
    "OTP_SEED_KEY": "bench-triage-otp-seed-key-0123456789abcdef012345",
    "OTP_HASH_KEY": "bench-triage-otp-hash-key-0123456789abcdef012345",
}
PASSWORD = "bench triage staff password 1"  # noqa: S105 - bench accounts, dropped database
INVESTIGATOR = "bench-investigator"


# --- The parent (the bench runner's process): database, child, clean-up ----------------------


def admin_connection() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_URL}/postgres", autocommit=True)


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def create_database() -> None:
    drop_database()
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def child_env(tmp: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update({name: value for name, value in os.environ.items() if name.startswith("BENCH_")})
    env.update(BENCH_SECRETS)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_ENV="production",
        DEBUG="0",
        ALLOWED_HOSTS="testserver",  # Django's test client
        PORTAL_VAR_DIR=str(tmp / "var"),
        STORAGE_ROOT=str(tmp / "storage"),
        AUDIT_CHECKPOINT_FILE="",
        DATABASE_URL=f"{PG_URL}/{DB_NAME}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    (tmp / "var" / "static").mkdir(parents=True, exist_ok=True)
    return env


def main() -> None:
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench-triage-"))
    try:
        create_database()
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_triage", "--child"],
            cwd=ROOT,
            env=child_env(tmp),
            timeout=6 * 3600,
            check=False,
        )
    finally:
        with contextlib.suppress(Exception):
            drop_database()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"total run time: {time.perf_counter() - started:.0f} s (database dropped)")
    if done.returncode:
        raise RuntimeError(f"bench_triage child failed with exit status {done.returncode}")


# --- Output ----------------------------------------------------------------------------------


def row(label: str, figure: str, note: str = "") -> None:
    print(f"  {label:<46} {figure:>16}  {note}")


def verdict(ok: bool, target: str) -> str:
    return "ok" if ok else f"MISSED (target {target})"


def wait_for_quiet(phase: str) -> None:
    """Wait (bounded) until no `python -m bench submit` runs: the two would skew each other.
    Then, for a while longer, until other processes leave most of the CPU free."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    waited = False
    while True:
        found = subprocess.run(
            ["pgrep", "-f", OTHER_BENCH], capture_output=True, text=True, check=False
        ).stdout.split()
        if not found:
            break
        if time.monotonic() > deadline:
            print(f"  note: `bench submit` still running after 20 min; {phase} goes ahead")
            return
        if not waited:
            print(f"  waiting for `bench submit` to finish before {phase} ...", flush=True)
            waited = True
        time.sleep(10)
    if waited:
        print("  ... it has finished", flush=True)
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    while True:
        busy, who = others_busy()
        if busy <= BUSY_LIMIT:
            return
        if time.monotonic() > deadline:
            print(
                f"  note: other processes still use {busy:.0f}% of the CPU ({who});"
                f" {phase} goes ahead"
            )
            return
        print(
            f"  other processes use {busy:.0f}% of the CPU ({who}): waiting before {phase}",
            flush=True,
        )
        time.sleep(25)


@dataclass(frozen=True)
class CpuSample:
    """Machine-wide CPU ticks and every process's own, to say who used the CPU in a phase."""

    busy: int
    total: int
    processes: dict[int, tuple[str, int]]
    at: float

    @classmethod
    def now(cls) -> CpuSample:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:9]]
        idle = values[3] + values[4]
        processes = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                text = stat.read_text()
                name = text[text.index("(") + 1 : text.rindex(")")]
                fields = text.rsplit(")", 1)[1].split()
                processes[int(stat.parent.name)] = (name, int(fields[11]) + int(fields[12]))
        return cls(sum(values) - idle, sum(values), processes, time.monotonic())

    def shares(self, before: CpuSample) -> tuple[float, dict[str, float]]:
        """Busy % of the whole machine, and % by process group (this process, postgres, ...)."""
        cores = os.cpu_count() or 1
        scale = 100 / ((self.at - before.at) * os.sysconf("SC_CLK_TCK") * cores)
        machine = (self.busy - before.busy) / max(1, self.total - before.total) * 100
        groups: dict[str, float] = {}
        me = os.getpid()
        for pid, (name, ticks) in self.processes.items():
            spent = ticks - before.processes.get(pid, (name, 0))[1]
            if spent > 0:
                group = "this process" if pid == me else name
                groups[group] = groups.get(group, 0.0) + spent * scale
        groups["exited meanwhile"] = max(0.0, machine - sum(groups.values()))
        return machine, groups

    def since(self, before: CpuSample) -> str:
        machine, groups = self.shares(before)
        own = groups.pop("this process", 0.0)
        postgres = groups.pop("postgres", 0.0)
        others = sorted(groups.items(), key=lambda kv: kv[1], reverse=True)
        listed = ", ".join(f"{name} {share:.0f}%" for name, share in others[:3] if share >= 1)
        return (
            f"CPU over the phase ({os.cpu_count()} cores = 100%): this process {own:.0f}%, "
            f"postgres {postgres:.0f}%, others {sum(groups.values()):.0f}%"
            + (f" ({listed})" if listed else "")
            + f", idle {100 - machine:.0f}%"
        )


def others_busy(seconds: float = 5.0) -> tuple[float, str]:
    """CPU used by other processes over a few seconds while this one waits (% of the machine)."""
    before = CpuSample.now()
    time.sleep(seconds)
    machine, groups = CpuSample.now().shares(before)
    groups.pop("this process", None)
    top = sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:3]
    return machine, ", ".join(f"{name} {share:.0f}%" for name, share in top if share >= 1)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- Real tips, through the submission action ------------------------------------------------

SENTENCES = (
    "A man drops off three young women at {place} every night around 10 and picks them up at 4.",
    "The women never leave without him and do not seem to have their own phones.",
    "The ad lists {phone} and says new girls every week; the photos look like the same room.",
    "Workers sleep in the back of {place}; the windows are covered and the door is locked.",
    "A girl who looked about fifteen said she owes the manager money for the trip up here.",
    "There is a {truck} parked behind it with plate {plate} most days, engine running.",
    "Somebody using the handle @{handle} messages kids on a gaming site and offers rides.",
    "My neighbor says her boss keeps her passport and she cannot quit until the debt is paid.",
    "Several men came and went in one hour; one of them carried a bag of cash.",
    "I called {phone} and a man answered and asked how I got the number.",
    "The email {email} was on the flyer promising modeling jobs with housing included.",
    "They are moved between {place} and another location every few weeks.",
    "I am not sure this is trafficking but it did not feel right and I wanted to tell someone.",
)
PLACES = (
    "the motel on State Line Road",
    "a nail salon off Metcalf Ave",
    "the truck stop by exit 224",
    "an apartment complex near Independence Center",
    "the massage parlor behind the strip mall",
    "a house on Oak St",
    "the restaurant kitchen on 39th Street",
    "a farm east of Lee's Summit",
)
TRUCKS = ("white Ford van", "black Chevy Tahoe", "red Dodge pickup", "grey Toyota Sienna")


@dataclass
class Pools:
    """Identifiers the real tips draw from: shared values make related tips."""

    phones: list[str]
    handles: list[str]
    emails: list[str]
    plates: list[str]

    @classmethod
    def make(cls, rng: random.Random) -> Pools:
        return cls(
            phones=[f"(816) 555-{rng.randrange(10_000):04d}" for _ in range(60)],
            handles=[f"kc_{rng.choice(('jay', 'vip', 'model', 'boss'))}{n}" for n in range(30)],
            emails=[f"jobs{n}@recruit-kc.example.com" for n in range(20)],
            plates=[
                f"{rng.choice('ABCDEFGHJK')}{rng.randrange(100, 999)}{n:03d}" for n in range(30)
            ],
        )


def description(rng: random.Random, values: dict[str, str], length: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(rng.choice(SENTENCES).format(**values))
    return " ".join(parts)


def real_submission(rng: random.Random, pools: Pools) -> Any:
    from tips.indicators import INDICATOR_CODES
    from tips.models import FORM_WHAT_CHOICES
    from tips.submission import Contact, TipSubmission

    phones = rng.sample(pools.phones, rng.choice((0, 1, 1, 2)))
    identifiers = {
        "phones": phones,
        "handles": rng.sample(pools.handles, rng.choice((0, 0, 1))),
        "emails": rng.sample(pools.emails, rng.choice((0, 0, 0, 1))),
        "plates": rng.sample(pools.plates, rng.choice((0, 0, 1))),
    }
    values = {
        "place": rng.choice(PLACES),
        "phone": rng.choice(phones or pools.phones),
        "truck": rng.choice(TRUCKS),
        "plate": rng.choice(pools.plates),
        "handle": rng.choice(pools.handles),
        "email": rng.choice(pools.emails),
    }
    contact = (
        Contact(name="A neighbor", phone=f"(913) 555-{rng.randrange(10_000):04d}", may_contact=True)
        if rng.random() < 0.3
        else Contact()
    )
    return TipSubmission(
        what=rng.choice(FORM_WHAT_CHOICES)[0],
        description=description(rng, values, rng.randrange(300, 1500)),
        immediate_danger=rng.choices(("yes", "no", "unsure"), (1, 7, 2))[0],
        minor_involved=rng.choices(("yes", "no", "unsure"), (2, 6, 2))[0],
        recency=rng.choice(("now", "week", "earlier", "unknown")),
        when="Most nights, late" if rng.random() < 0.5 else "",
        location=values["place"] if rng.random() < 0.6 else "",
        area=rng.choice(("kansas_city_mo", "olathe", "independence", "overland_park", "")),
        people="Two men in their thirties, three young women" if rng.random() < 0.5 else "",
        vehicles=values["truck"] if rng.random() < 0.3 else "",
        identifiers={kind: items for kind, items in identifiers.items() if items},
        indicators=frozenset(rng.sample(sorted(INDICATOR_CODES), rng.randrange(0, 5))),
        contact=contact,
        language=rng.choice(("en", "en", "en", "es")),
        victim_self_report=rng.random() < 0.05,
    )


# --- Synthetic tips, by COPY -----------------------------------------------------------------

STATUS_WEIGHTS = {
    "new": 40,
    "in_review": 10,
    "assigned": 7,
    "investigating": 8,
    "referred": 3,
    "handed_off": 2,
    "closed": 30,
}
CLAIMED = {"assigned", "investigating", "referred", "handed_off"}
# Identifier kinds per synthetic tip: (kind, probability, how many at most).
IDENTIFIER_MIX = (("phone", 0.5, 2), ("handle", 0.2, 1), ("email", 0.12, 1), ("url", 0.08, 1),
                  ("domain", 0.05, 1), ("plate", 0.08, 1))  # fmt: skip
TWO_YEARS = 2 * 365 * 86400


@dataclass
class Shape:
    """Byte sizes and choices taken from the real tips and the app, measured in this run."""

    content_lengths: list[int]
    contact_length: int
    public_key_length: int
    wrap_length: int
    staff_ids: list[int]
    desk_id: int
    whats: list[str]
    areas: list[str]
    indicators: list[str]


@dataclass
class Batch:
    tips: list[tuple[Any, ...]] = field(default_factory=list)
    identifiers: list[tuple[Any, ...]] = field(default_factory=list)
    wraps: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


class Synthesizer:
    def __init__(self, shape: Shape, now: dt.datetime, seed: int) -> None:
        from django.conf import settings

        from portal.vault.models import WrappedKey
        from tips.models import LEVEL_RANK, Tip

        self.wrap_table = WrappedKey._meta.db_table
        self.shape, self.now = shape, now
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.rank = LEVEL_RANK
        self.sla = {
            level: dt.timedelta(minutes=minutes)
            for level, minutes in settings.TRIAGE_SLA_MINUTES.items()
        }
        self.columns = [f.column for f in Tip._meta.concrete_fields]
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(STATUS_WEIGHTS.values())

    def facts(self, identifier_count: int) -> Any:
        from tips import scoring

        rng = self.rng
        return scoring.TipFacts(
            immediate_danger=scoring.Answer(rng.choices(("yes", "no", "unsure"), (6, 82, 12))[0]),
            minor_involved=scoring.Answer(rng.choices(("yes", "no", "unsure"), (12, 73, 15))[0]),
            victim_asking_for_help=rng.random() < 0.06,
            recency=scoring.Recency(
                rng.choices(("now", "week", "earlier", "unknown"), (20, 25, 35, 20))[0]
            ),
            has_location=rng.random() < 0.6,
            has_area=rng.random() < 0.7,
            identifier_count=identifier_count,
            attachment_count=rng.choices((0, 1, 2, 3), (80, 12, 5, 3))[0],
            indicators=frozenset(rng.sample(self.shape.indicators, rng.randrange(0, 7))),
        )

    def identifiers(self, tip_id: int) -> list[tuple[int, str, int]]:
        rng, found = self.rng, set()
        for kind, probability, most in IDENTIFIER_MIX:
            if rng.random() < probability:
                for _ in range(rng.randint(1, most)):
                    found.add((tip_id, kind, rng.randrange(65_536)))
        return sorted(found)

    def tip(self, tip_id: int, batch: Batch, head: list[Any]) -> None:
        from audit.encoding import clean_details, encode_entry, entry_hashes, format_time
        from tips import scoring

        rng, shape = self.rng, self.shape
        identifiers = self.identifiers(tip_id)
        facts = self.facts(len(identifiers))
        priority = scoring.score(facts)
        computed = priority.level.value
        level = computed if rng.random() > 0.03 else rng.choice(list(self.rank))
        status = rng.choices(self.statuses, self.status_weights)[0]
        close_reason = ""
        what = rng.choice(shape.whats)
        category = what
        if status == "closed":
            close_reason = rng.choices(
                ("resolved", "unfounded", "duplicate", "insufficient_information", "spam"),
                (30, 25, 15, 25, 5),
            )[0]
            if close_reason == "unfounded" and rng.random() < 0.5:
                category = "not_trafficking"
        created = self.now - dt.timedelta(seconds=rng.uniform(60, TWO_YEARS))
        claimed = status in CLAIMED or (status == "closed" and rng.random() < 0.7)
        claimed = claimed or (status == "in_review" and rng.random() < 0.3)
        assignee = rng.choice(shape.staff_ids) if claimed else None
        claimed_at = created + dt.timedelta(minutes=rng.uniform(5, 3000)) if claimed else None
        due = created + self.sla[computed]
        urgent = computed == "urgent"
        has_contact = rng.random() < 0.3
        code = uuid.UUID(bytes=os.urandom(16), version=4)
        values = {
            "id": tip_id,
            "code": code,
            "created_at": created,
            "updated_at": min(self.now, created + dt.timedelta(days=rng.uniform(0, 30))),
            "what": what,
            "category": category,
            "status": status,
            "close_reason": close_reason,
            "duplicate_of_id": rng.randrange(1, tip_id) if close_reason == "duplicate" else None,
            "immediate_danger": facts.immediate_danger.value,
            "minor_involved": facts.minor_involved.value,
            "victim_self_report": facts.victim_asking_for_help,
            "recency": facts.recency.value,
            "area": rng.choice(shape.areas) if facts.has_area else "",
            "language": "es" if rng.random() < 0.15 else "en",
            "priority_score": priority.score,
            "computed_level": computed,
            "priority_level": level,
            "priority_reasons": [reason.as_dict() for reason in priority.reasons],
            "level_rank": self.rank[level],
            "identifier_count": len(identifiers),
            "attachment_count": facts.attachment_count,
            "has_contact": has_contact,
            "may_contact": has_contact and rng.random() < 0.6,
            "content": os.urandom(rng.choice(shape.content_lengths)),
            "contact": os.urandom(shape.contact_length) if has_contact else None,
            "receipt_lookup": os.urandom(32),
            "tipster_public_key": os.urandom(shape.public_key_length),
            "assignee_id": assignee,
            "claimed_at": claimed_at,
            "sla_due_at": due,
            "urgent_notified_at": created + dt.timedelta(seconds=20) if urgent else None,
            "escalated_at": due if urgent and (claimed_at is None or claimed_at > due) else None,
            "purged_at": None,
        }
        batch.tips.append(tuple(values[column] for column in self.columns))
        batch.identifiers.extend(identifiers)
        batch.wraps.append(
            ("tips.tip", str(code), shape.desk_id, 1, os.urandom(shape.wrap_length), created)
        )
        events = [
            (
                created,
                "anonymous",
                101,  # TIP_SUBMITTED
                {
                    "what": what,
                    "priority_level": computed,
                    "attachments": facts.attachment_count,
                    "victim_self_report": facts.victim_asking_for_help,
                },
            )
        ]
        if claimed_at is not None:
            events.append((claimed_at, str(assignee), 201, {}))  # TIP_CLAIMED
        for at, actor, action, details in events:
            seq, prev = head[0] + 1, head[1]
            canon = encode_entry(
                seq=seq,
                at=format_time(at),
                actor=actor,
                action=action,
                target=("tips.tip", str(code)),
                details=clean_details(details),
            )
            _leaf, chain = entry_hashes(prev, canon)
            batch.events.append((seq, at, actor, action, "tips.tip", str(code), canon, prev, chain))
            head[0], head[1] = seq, chain


class Loader:
    """Binary COPY on its own connection, a batch per transaction."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)
        self.conn.execute("SET synchronous_commit = off")
        self.conn.commit()
        self.types: dict[str, list[str]] = {}

    def column_types(self, table: str, columns: list[str]) -> list[str]:
        rows = self.conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [table],
        ).fetchall()
        types = dict(rows)
        return [types[column] for column in columns]

    def copy(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        key = f"{table}:{','.join(columns)}"
        if key not in self.types:
            self.types[key] = self.column_types(table, columns)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(self.types[key])
            for values in rows:
                copy.write_row(values)

    def execute(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
        self.conn.commit()
        return rows

    def close(self) -> None:
        self.conn.close()


def load_synthetic(loader: Loader, synth: Synthesizer, first_id: int, count: int) -> float:
    """Insert `count` synthetic tips (ids from `first_id`) with their rows in other tables."""
    started = time.perf_counter()
    head_row = loader.execute("SELECT seq, chain FROM audit_event ORDER BY seq DESC LIMIT 1")
    head: list[Any] = [head_row[0][0], bytes(head_row[0][1])]
    event_columns = [
        "seq", "at", "actor", "action", "target_type", "target_id", "canon", "prev", "chain"
    ]  # fmt: skip
    wrap_columns = [
        "record_type",
        "record_id",
        "desk_id",
        "key_version",
        "wrapped_key",
        "created_at",
    ]
    for start in range(first_id, first_id + count, BATCH):
        batch = Batch()
        for tip_id in range(start, min(start + BATCH, first_id + count)):
            synth.tip(tip_id, batch, head)
        loader.copy("tips_tip", synth.columns, batch.tips)
        loader.copy("tips_identifier", ["tip_id", "kind", "digest"], batch.identifiers)
        loader.copy(synth.wrap_table, wrap_columns, batch.wraps)
        loader.copy("audit_event", event_columns, batch.events)
        loader.conn.commit()
    loader.execute(
        "SELECT setval(pg_get_serial_sequence('tips_tip', 'id'), (SELECT max(id) FROM tips_tip))"
    )
    return time.perf_counter() - started


# --- The child: setup, load, measure ---------------------------------------------------------


@dataclass
class World:
    investigator: Any
    real_codes: list[str]
    real_ids: list[int]
    real_max_id: int
    pools: Pools
    shape: Shape
    loaded_upto: int
    document_keys: frozenset[str]
    resealed: int = 0


def setup() -> World:
    from django.core.management import call_command

    from portal import vault
    from portal.accounts.actions import do_create_staff
    from tips.actions import do_submit_tip
    from tips.areas import area_codes
    from tips.indicators import INDICATOR_CODES
    from tips.models import FORM_WHAT_CHOICES, Tip

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    recovery_key = vault.initialize()
    investigator, _uri = do_create_staff(
        INVESTIGATOR, role="investigator", password=PASSWORD, organization=None, acting_user=None
    )
    vault.grant_desk_with_recovery(vault.triage_desk(), investigator, recovery_key)
    staff = [investigator]
    for name, role in [(f"bench-investigator-{n}", "investigator") for n in range(2, 6)] + [
        ("bench-supervisor", "supervisor")
    ]:
        staff.append(
            do_create_staff(
                name, role=role, password=PASSWORD, organization=None, acting_user=None
            )[0]
        )
    print(f"setup: migrate, collectstatic, vault, 6 staff: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    pools = Pools.make(rng)
    for _ in range(REAL_TIPS):
        do_submit_tip(real_submission(rng, pools))
    real = list(Tip.objects.order_by("pk"))
    elapsed = time.perf_counter() - started
    print(
        f"real tips: {len(real)} through do_submit_tip in {elapsed:.1f} s "
        f"({elapsed / len(real) * 1000:.1f} ms each), "
        f"{sum(t.identifier_count for t in real)} identifiers"
    )
    from portal.vault.models import WrappedKey

    wrap = WrappedKey.objects.filter(record_type="tips.tip").first()
    shape = Shape(
        content_lengths=[len(bytes(t.content)) for t in real],
        contact_length=max((len(bytes(t.contact)) for t in real if t.contact), default=200),
        public_key_length=len(bytes(real[0].tipster_public_key)),
        wrap_length=len(bytes(wrap.wrapped_key)),
        staff_ids=[user.pk for user in staff],
        desk_id=vault.triage_desk().pk,
        whats=[value for value, _label in FORM_WHAT_CHOICES],
        areas=sorted(area_codes()),
        indicators=sorted(INDICATOR_CODES),
    )
    # What a sealed tip holds (synthetic tips the related-tips lookup decrypts are sealed alike).
    document = json.loads(
        vault.open_record_key(real[0].vault_record, vault.RecoveryKeyring(recovery_key)).decrypt(
            "content", bytes(real[0].content)
        )
    )
    lengths = shape.content_lengths
    print(
        f"  sizes from the real tips: content {min(lengths)}-{max(lengths)} B "
        f"(mean {sum(lengths) / len(lengths):.0f}), tipster public key "
        f"{shape.public_key_length} B, wrapped data key {shape.wrap_length} B; sealed document:"
        f" {', '.join(sorted(document))}"
    )
    return World(
        investigator=investigator,
        real_codes=[str(t.code) for t in real],
        real_ids=[t.pk for t in real],
        real_max_id=real[-1].pk,
        pools=pools,
        shape=shape,
        loaded_upto=real[-1].pk,
        document_keys=frozenset(document),
    )


def reseal_collisions(world: World, loader: Loader, since_id: int) -> int:
    """Seal for real the synthetic tips whose blind index collides with a real tip's.

    The related-tips lookup decrypts such candidates to rule them out; with random bytes and a
    random wrap they would be skipped after a failed unwrap, cheaper than in production."""
    from django.db import transaction

    from portal import vault
    from portal.vault.models import WrappedKey
    from tips import extract
    from tips.models import Tip

    rows = loader.execute(
        "SELECT DISTINCT t.id, t.code FROM tips_identifier r"
        " JOIN tips_identifier s ON s.kind = r.kind AND s.digest = r.digest"
        " JOIN tips_tip t ON t.id = s.tip_id"
        " WHERE r.tip_id <= %s AND s.tip_id > %s",
        [world.real_max_id, since_id],
    )
    rng = random.Random(since_id)  # noqa: S311 - test data, not secrets
    desk = vault.triage_desk()
    for start in range(0, len(rows), 500):
        with transaction.atomic():
            for tip_id, code in rows[start : start + 500]:
                record = ("tips.tip", str(code))
                WrappedKey.objects.filter(record_type=record[0], record_id=record[1]).delete()
                key = vault.new_record_key(record, desks=[desk])
                values = {
                    "place": rng.choice(PLACES),
                    "phone": f"(660) 555-{rng.randrange(10_000):04d}",
                    "truck": rng.choice(TRUCKS),
                    "plate": f"Z{rng.randrange(10_000, 99_999)}",
                    "handle": f"other_{rng.randrange(10**6)}",
                    "email": f"x{rng.randrange(10**6)}@elsewhere.example.org",
                }
                document: dict[str, Any] = {
                    "description": description(rng, values, rng.randrange(300, 1500)),
                    "when": "",
                    "location": values["place"],
                    "people": "",
                    "vehicles": "",
                    "identifiers": {
                        "phones": [values["phone"]],
                        "emails": [],
                        "handles": [],
                        "urls": [],
                        "plates": [],
                    },
                    "indicators": [],
                }
                if "found" in world.document_keys:  # as do_submit_tip seals it
                    found = extract.extract_all(document["identifiers"], document["description"])
                    document["found"] = sorted([item.kind, item.value] for item in found)
                sealed = key.encrypt("content", json.dumps(document).encode())
                Tip.objects.filter(pk=tip_id).update(content=sealed)
    world.resealed += len(rows)
    return len(rows)


def grow(world: World, loader: Loader, size: int) -> None:
    from django.utils import timezone

    count = size - world.loaded_upto
    if count <= 0:
        return
    synth = Synthesizer(world.shape, timezone.now(), seed=size)
    first = world.loaded_upto + 1
    elapsed = load_synthetic(loader, synth, first, count)
    print(
        f"loaded {count:,} synthetic tips in {elapsed:.1f} s ({count / elapsed:,.0f} tips/s, "
        "with their identifiers, wrapped keys and audit entries)"
    )
    started = time.perf_counter()
    resealed = reseal_collisions(world, loader, world.loaded_upto)
    world.loaded_upto = size
    reseal_time = time.perf_counter() - started
    started = time.perf_counter()
    loader.conn.autocommit = True
    loader.conn.execute("VACUUM ANALYZE")
    loader.conn.execute("CHECKPOINT")  # the load's dirty pages written before measuring
    loader.conn.autocommit = False
    print(
        f"  {resealed} of them collide with a real tip's blind index: sealed for real "
        f"({reseal_time:.1f} s, {world.resealed} so far); VACUUM ANALYZE + CHECKPOINT "
        f"{time.perf_counter() - started:.1f} s"
    )
    sizes = loader.execute(
        "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class"
        " WHERE relname IN ('tips_tip', 'tips_identifier', 'portal_wrappedkey', 'audit_event')"
        " ORDER BY relname"
    )
    counts = loader.execute(
        "SELECT (SELECT count(*) FROM tips_tip), (SELECT count(*) FROM tips_tip"
        " WHERE status <> 'closed'), (SELECT count(*) FROM tips_identifier),"
        " (SELECT count(*) FROM audit_event)"
    )[0]
    print(
        f"  tips {counts[0]:,} ({counts[1]:,} open), identifiers {counts[2]:,}, audit entries "
        f"{counts[3]:,}; on disk: " + ", ".join(f"{name} {size}" for name, size in sizes)
    )


# --- Requests --------------------------------------------------------------------------------


def totp_now(user: Any) -> str:
    from django_otp.oath import TOTP

    from portal.accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.seed(), device.STEP, 0, device.DIGITS, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


_last_sign_in = [0.0]


def sign_in(user: Any) -> Any:
    """The real web sign-in (password, then TOTP): the vault is unlocked in the session."""
    from django.test import Client

    if int(time.time() // 30) == int(_last_sign_in[0] // 30):
        time.sleep(30.5 - time.time() % 30)  # a code is good once: wait for the next one
    for _attempt in range(3):
        _last_sign_in[0] = time.time()
        client = Client()
        response = client.post(
            "/staff/login/", {"username": user.username, "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302, response.status_code
        response = client.post("/staff/login/verify/", {"otp_token": totp_now(user)}, secure=True)
        if response.status_code == 302:
            return client
        time.sleep(31 - time.time() % 30)  # a code is good once: wait for the next one
    raise RuntimeError("sign-in failed")


class QueryTimer:
    """Every query of a block with its own time."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql))


@dataclass
class Kind:
    name: str
    paths: Callable[[], Iterator[str]]
    samples: list[float] = field(default_factory=list)
    errors: int = 0
    queries: list[int] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    last: list[tuple[float, str]] = field(default_factory=list)
    sqls: list[str] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)

    def p(self, q: float) -> float:
        return percentile(self.samples, q)


def cycle(paths: list[str]) -> Callable[[], Iterator[str]]:
    def make() -> Iterator[str]:
        while True:
            yield from paths

    return make


def timed(
    client: Any, kind: Kind, paths: Iterator[str], count: int, *, keep: bool, budget: float = 0
) -> None:
    """`count` requests, or fewer (at least 10) when `budget` seconds run out."""
    clock = time.perf_counter
    deadline = clock() + budget if budget else float("inf")
    for done in range(count):
        if done >= 10 and clock() > deadline:
            break
        path = next(paths)
        started = clock()
        response = client.get(path, secure=True)
        elapsed = (clock() - started) * 1000
        if response.status_code != 200:
            kind.errors += 1
        if keep:
            kind.samples.append(elapsed)
            kind.by_path.setdefault(path, []).append(elapsed)


def instrumented(client: Any, kind: Kind, paths: Iterator[str], count: int) -> None:
    """Queries per request (CaptureQueriesContext) and their time in the driver."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(count):
        timer = QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            response = client.get(next(paths), secure=True)
        assert response.status_code == 200, response.status_code
        # Django logs BEGIN/COMMIT as well (debug_transaction); they are not queries here.
        statements = [q["sql"] for q in captured.captured_queries if q["sql"] not in TXN]
        kind.queries.append(len(statements))
        kind.transactions.append(len(captured.captured_queries) - len(statements))
        kind.db_ms.append(sum(t for t, _sql in timer.queries) * 1000)
        kind.sqls = statements
        kind.last = [
            (t * 1000, sql) for (t, _raw), sql in zip(timer.queries, statements, strict=True)
        ]
        for (seconds, _sql), sql in zip(timer.queries, statements, strict=True):
            if seconds * 1000 > kind.slowest[0]:
                kind.slowest = (seconds * 1000, sql)


def api_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def deep_cursor(client: Any, pages: int) -> str:
    """Follow the API's `next` link `pages` times; the cursor of the page reached."""
    path = "/api/v1/triage/tips/"
    for _ in range(pages):
        body = client.get(path, secure=True).json()
        path = api_path(body["next"])
    return path.split("cursor=", 1)[1]


def measure(world: World, size: int) -> dict[str, Kind]:
    client = sign_in(world.investigator)
    cursor = deep_cursor(client, DEEP_PAGES)
    tip_paths = [f"/triage/tips/{code}/" for code in world.real_codes]
    kinds = [
        Kind("queue, first page (HTML)", cycle(["/triage/"])),
        Kind("queue, first page (API)", cycle(["/api/v1/triage/tips/"])),
        Kind("queue ?status=new (HTML)", cycle(["/triage/?status=new"])),
        Kind(
            f"queue, page {DEEP_PAGES + 1} (API)", cycle([f"/api/v1/triage/tips/?cursor={cursor}"])
        ),
        Kind(f"queue, page {DEEP_PAGES + 1} (HTML)", cycle([f"/triage/?cursor={cursor}"])),
        Kind("tip page (decrypt + related + audit)", cycle(tip_paths)),
        Kind(REFERENCE, cycle(["/staff/"])),
    ]
    streams = {kind.name: kind.paths() for kind in kinds}
    for kind in kinds:
        timed(client, kind, streams[kind.name], WARMUP, keep=False)
    calibration = [cpu_calibration()]
    cpu = CpuSample.now()
    for index in range(ROUNDS):
        for kind in kinds:
            share = max(REQUESTS, len(tip_paths) if kind.name.startswith("tip") else 0)
            count = share // ROUNDS + (1 if index < share % ROUNDS else 0)
            timed(client, kind, streams[kind.name], count, keep=True)
    load = CpuSample.now().since(cpu)
    calibration.append(cpu_calibration())
    for kind in kinds:
        instrumented(client, kind, streams[kind.name], 20)
    report(size, kinds)
    print(f"  {load}")
    print(
        f"  CPU calibration (the same pure-Python work before and after the phase): "
        f"{calibration[0]:.1f} / {calibration[1]:.1f} ms"
    )
    candidates = related_candidates(world)
    tip_cost_by_candidates(kinds[-2], candidates)
    if size == SIZES[-1]:
        for kind in (kinds[0], kinds[-2]):
            print(f"  the queries of one request, {kind.name}:")
            for ms, sql in kind.last:
                print(f"    {ms:6.2f} ms  {shorten(sql, 150)}")
    explain_queue(kinds, full=size == SIZES[-1] or size == SIZES[0])
    return {kind.name: kind for kind in kinds}


def related_candidates(world: World) -> dict[str, int]:
    """What the related-tips lookup has to rule out: tips sharing a 16-bit blind index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.tip_id, count(DISTINCT s.tip_id) FROM tips_identifier r"
            " JOIN tips_identifier s ON s.kind = r.kind AND s.digest = r.digest"
            " AND s.tip_id <> r.tip_id WHERE r.tip_id <= %s GROUP BY r.tip_id",
            [world.real_max_id],
        )
        rows = cursor.fetchall()
    by_tip = dict(rows)
    counts = [by_tip.get(tip_id, 0) for tip_id in world.real_ids]
    print(
        f"  related-tip candidates per real tip (tips sharing a 16-bit blind index, each one "
        f"decrypted to confirm; capped at 200): mean {sum(counts) / len(counts):.1f}, "
        f"max {max(counts)}"
    )
    return {
        f"/triage/tips/{code}/": min(count, 200)
        for code, count in zip(world.real_codes, counts, strict=True)
    }


def tip_cost_by_candidates(kind: Kind, candidates: dict[str, int]) -> None:
    """The tip page's time against the number of candidates its related-tips lookup decrypts."""
    points = [(candidates[path], percentile(ms, 50)) for path, ms in kind.by_path.items()]
    if len(points) < 3:
        return
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _y in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    base = mean_y - slope * mean_x
    found = []
    for low, high in ((0, 0), (1, 10), (11, 30), (31, 60), (61, 200)):
        inside = [y for x, y in points if low <= x <= high]
        if inside:
            found.append(f"{low}-{high}: {len(inside)} tips, p50 {percentile(inside, 50):.1f}")
    buckets = "; ".join(found)
    print(f"  tip page by related-tip candidates (tips, median of their medians, ms): {buckets}")
    print(
        f"  tip page fit: {base:.1f} ms + {slope:.2f} ms per candidate; at the cap of 200 "
        f"candidates: {base + 200 * slope:.0f} ms"
    )


def cpu_calibration() -> float:
    """Median ms of a fixed pure-Python workload: how fast the CPU is right now."""
    document = {"rows": [{"code": f"c{n}", "score": n, "reasons": ["a", "b"]} for n in range(300)]}
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(20):
            text = json.dumps(document)
            json.loads(text)
            re.findall(r"c\d+", text)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50)


def report(size: int, kinds: list[Kind]) -> None:
    print(f"at {size:,} tips ({REQUESTS} requests of each kind after {WARMUP} warm-up, ms):")
    print(
        f"  {'':<40} {'p50':>7} {'p95':>7} {'p99':>7} {'queries':>8} {'+txn':>5} {'in db':>7}"
        "  target"
    )
    for kind in kinds:
        p95 = kind.p(95)
        note = ""
        if kind.name.startswith("queue, first page"):
            note = verdict(p95 < TARGET_QUEUE_P95, f"p95 < {TARGET_QUEUE_P95:g} ms")
        elif kind.name.startswith("tip page"):
            note = verdict(p95 < TARGET_TIP_P95, f"p95 < {TARGET_TIP_P95:g} ms")
        if kind.errors:
            note += f" {kind.errors} non-200"
        counts = f"{min(kind.queries)}-{max(kind.queries)}" if kind.queries else "?"
        txn = max(kind.transactions) if kind.transactions else 0
        db = sum(kind.db_ms) / len(kind.db_ms) if kind.db_ms else 0.0
        print(
            f"  {kind.name:<40} {kind.p(50):7.1f} {p95:7.1f} {kind.p(99):7.1f} {counts:>8} "
            f"{txn:>5} {db:7.1f}  {note}"
        )
    print(
        "  (queries: SQL statements per request, CaptureQueriesContext; +txn: BEGIN/COMMIT it also"
        " logs; in db: mean ms in the database driver, all statements)"
    )
    for kind in kinds:
        ms, sql = kind.slowest
        print(f"  slowest query of {kind.name}: {ms:.1f} ms: {shorten(sql)}")


def queue_sql(kind: Kind) -> str:
    """The queue query Django ran for this request (tips_tip, ordered, LIMIT)."""
    for sql in kind.sqls:
        if sql.startswith('SELECT "tips_tip"."id"') and " ORDER BY " in sql and " LIMIT " in sql:
            return sql
    raise LookupError(f"no queue query in {kind.name}")


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
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


def print_plan(title: str, plan: list[str], *, full: bool) -> None:
    uses = [name for name in ("tip_open_queue", "tip_queue_by_status") if name in "".join(plan)]
    print(f"  {title}: index {', '.join(uses) or 'NEITHER queue index'}: {plan_summary(plan)}")
    if full:
        for line in plan:
            print(f"      {line[:150]}")


def explain_queue(kinds: list[Kind], *, full: bool) -> None:
    print("  EXPLAIN (ANALYZE, BUFFERS) of the queue query each page ran:")
    for kind in kinds:
        if kind.name.startswith("queue"):
            sql = queue_sql(kind)
            if full and kind is kinds[0]:
                print(f"    SQL: {shorten(sql, 2000)}")
            print_plan(kind.name, explain(sql), full=full)


def shorten(sql: str, width: int = 200) -> str:
    sql = " ".join(sql.split())
    sql = re.sub(r'SELECT "tips_tip"\."id", .*? FROM', 'SELECT "tips_tip".* FROM', sql)
    sql = re.sub(r'"portal_user"\."id", .*? FROM', '"portal_user".* FROM', sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."


# --- Diagnostics at the largest size: more of the queue, candidate fixes, a profile ----------

HEAVY_COLUMNS = ("content", "contact", "tipster_public_key", "receipt_lookup")
ROW_ORDER_SQL = '("tips_tip"."priority_score" * -1)'
CANDIDATE_INDEXES = {
    # keyset cursor as one row comparison: every column ascending, the score negated
    "bench_queue_rowcmp": "CREATE INDEX bench_queue_rowcmp ON tips_tip"
    " (level_rank, (priority_score * -1), created_at, id) WHERE NOT (status = 'closed')",
    # ?include_closed=1: the queue order over every tip, not only the open ones
    "bench_queue_all": "CREATE INDEX bench_queue_all ON tips_tip"
    " (level_rank, priority_score DESC, created_at, id)",
}


def quick(client: Any, name: str, path: str, count: int = 0) -> Kind:
    """Fewer requests, for the diagnostics: p50/p95, queries, and the plan of the queue query."""
    kind = Kind(name, cycle([path]))
    stream = kind.paths()
    timed(client, kind, stream, 3, keep=False)
    timed(client, kind, stream, count or EXTRA_REQUESTS, keep=True, budget=QUICK_BUDGET)
    instrumented(client, kind, stream, 3)
    return kind


def quick_row(kind: Kind, *, plan: bool = True) -> None:
    summary = ""
    if plan:
        try:
            summary = plan_summary(explain(queue_sql(kind)))
        except LookupError:
            summary = "no queue query"
    note = f" {kind.errors} non-200" if kind.errors else ""
    print(
        f"  {kind.name:<44} {len(kind.samples):>4} {kind.p(50):7.1f} {kind.p(95):7.1f}"
        f" {min(kind.queries):>3}{note}  {summary}"
    )


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """A candidate query change, in this process only (no file is edited)."""
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


@contextlib.contextmanager
def candidate_index(name: str) -> Iterator[float]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATE_INDEXES[name])
        cursor.execute("ANALYZE tips_tip")
    try:
        yield time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def index_size(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [name])
        return cursor.fetchone()[0]


def far_cursor(fraction: float) -> str:
    """The cursor of the open-queue row `fraction` of the way down (for a far page)."""
    from django.db import connection

    from tips.models import Tip
    from triage import queue

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tips_tip WHERE NOT (status = 'closed')")
        offset = int(cursor.fetchone()[0] * fraction)
        cursor.execute(
            "SELECT id FROM tips_tip WHERE purged_at IS NULL AND NOT (status = 'closed')"
            " ORDER BY level_rank, priority_score DESC, created_at, id OFFSET %s LIMIT 1",
            [offset],
        )
        tip_id = cursor.fetchone()[0]
    return queue.encode_cursor(Tip.objects.get(pk=tip_id))


def rowcmp_after(tips: Any, cursor: str) -> Any:
    """Candidate: the keyset cursor as one row comparison the index can seek to."""
    from triage import queue

    rank, score, at, pk = queue._decode_cursor(cursor)
    # Constant SQL, values bound as parameters.
    return tips.extra(  # noqa: S610
        where=[
            f'("tips_tip"."level_rank", {ROW_ORDER_SQL}, "tips_tip"."created_at", "tips_tip"."id")'
            " > (%s, %s, %s, %s)"
        ],
        params=[rank, -score, at, pk],
    )


def rowcmp_order() -> tuple[Any, ...]:
    from django.db.models.expressions import RawSQL

    return ("level_rank", RawSQL(ROW_ORDER_SQL, []).asc(), "created_at", "id")  # noqa: S611


@contextlib.contextmanager
def accounted(world: World, phase: str) -> Iterator[Any]:
    """One group of diagnostics: after waiting for a quiet machine, signed in afresh (a wait can
    outlast the session's idle timeout); who used the CPU meanwhile is printed after it."""
    wait_for_quiet(phase)
    client = sign_in(world.investigator)
    calibration = cpu_calibration()
    before = CpuSample.now()
    yield client
    print(
        f"  ({CpuSample.now().since(before)}; CPU calibration {calibration:.1f} ms before,"
        f" {cpu_calibration():.1f} ms after)"
    )


def diagnostics(world: World) -> None:
    with accounted(world, "the diagnostics: more of the queue") as client:
        more_of_the_queue(client)
    with accounted(world, "the diagnostics: candidate fixes") as client:
        queue_fixes(client)
    with accounted(world, "the diagnostics: the HTML queue's rendering") as client:
        queue_html_experiments(client)
    with accounted(world, "the diagnostics: the tip page") as client:
        tip_experiments(client, world)
    with accounted(world, "the profile") as client:
        profile_pages(client, world)


def more_of_the_queue(client: Any) -> None:
    size = SIZES[-1]
    print(
        f"diagnostics at {size:,} tips ({EXTRA_REQUESTS} requests each, ms; the plan is EXPLAIN"
        " ANALYZE of the queue query the page ran):"
    )
    print(f"  {'':<44} {'n':>4} {'p50':>7} {'p95':>7} {'q.':>3}  plan")
    far = {fraction: far_cursor(fraction) for fraction in (0.25, 0.5, 0.9)}
    for label, path in [
        ("queue ?priority_level=low", "/triage/?priority_level=low"),
        ("queue ?priority_level=urgent", "/triage/?priority_level=urgent"),
        ("queue ?status=referred (3% of tips)", "/triage/?status=referred"),
        ("queue ?status=closed", "/triage/?status=closed"),
        ("queue ?include_closed=1", "/triage/?include_closed=1"),
        ("queue ?mine=1", "/triage/?mine=1"),
        ("queue ?unclaimed=1", "/triage/?unclaimed=1"),
        ("queue ?category=labor_trafficking", "/triage/?category=labor_trafficking"),
        ("queue ?area=olathe&category=online_enticement",
         "/triage/?area=olathe&category=online_enticement"),
        *[(f"queue API, page at {int(f * 100)}% of the queue", f"/api/v1/triage/tips/?cursor={c}")
          for f, c in far.items()],
    ]:  # fmt: skip
        quick_row(quick(client, label, path))


def queue_fixes(client: Any) -> None:
    from triage import queue

    far_path = f"/api/v1/triage/tips/?cursor={far_cursor(0.9)}"
    print("candidate fixes, each against the page as it is, measured now:")
    print(f"  {'':<44} {'n':>4} {'p50':>7} {'p95':>7} {'q.':>3}  plan")
    # 1. Deep pages: the cursor's OR of four conditions is a filter, not an index bound, so the
    #    scan reads every row before the cursor. A row comparison over an all-ascending index
    #    (score negated) seeks straight to it.
    quick_row(quick(client, "as is: API page at 90%", far_path))
    with candidate_index("bench_queue_rowcmp") as built:
        with patched(queue, "after", rowcmp_after), patched(queue, "ORDER", rowcmp_order()):
            quick_row(quick(client, "row comparison + index: API page at 90%", far_path))
            quick_row(
                quick(client, "row comparison + index: API first page", "/api/v1/triage/tips/")
            )
            quick_row(quick(client, "row comparison + index: HTML first page", "/triage/"))
        print(
            f"    (index bench_queue_rowcmp: built in {built:.1f} s, "
            f"{index_size('bench_queue_rowcmp')})"
        )
    # 2. ?include_closed=1: no index has the queue order over closed tips too.
    quick_row(quick(client, "as is: ?include_closed=1", "/triage/?include_closed=1"))
    with candidate_index("bench_queue_all") as built:
        quick_row(quick(client, "+ index bench_queue_all: ?include_closed=1",
                        "/triage/?include_closed=1"))  # fmt: skip
        print(
            f"    (index bench_queue_all: built in {built:.1f} s, {index_size('bench_queue_all')})"
        )
    # 3. The queue reads every column of 51 rows, sealed content and keys included (~2.5 KB a
    #    row, partly TOASTed), and shows none of them.
    original_page = queue.page

    def page_deferred(tips: Any, *, cursor: str = "", size: int = queue.PAGE_SIZE) -> Any:
        return original_page(tips.defer(*HEAVY_COLUMNS), cursor=cursor, size=size)

    for label, path in (
        ("HTML first page", "/triage/"),
        ("API first page", "/api/v1/triage/tips/"),
    ):
        quick_row(quick(client, f"as is: {label}", path, REQUESTS), plan=False)
        with patched(queue, "page", page_deferred):
            quick_row(quick(client, f"defer(sealed columns): {label}", path, REQUESTS), plan=False)


Variant = tuple[str, list[str], Callable[[], Any]]


def compare(client: Any, variants: list[Variant], count: int) -> list[Kind]:
    """Variants of a page in alternating rounds (drift weighs on all alike), each after a
    warm-up over all its paths; a patch is active only during its own variant's requests."""
    kinds = [Kind(label, cycle(paths)) for label, paths, _patch in variants]
    streams = [kind.paths() for kind in kinds]
    for (_label, paths, patch), kind, stream in zip(variants, kinds, streams, strict=True):
        with patch():
            timed(client, kind, stream, len(paths) + WARMUP, keep=False)
    for index in range(ROUNDS):
        share = count // ROUNDS + (1 if index < count % ROUNDS else 0)
        for (_label, _paths, patch), kind, stream in zip(variants, kinds, streams, strict=True):
            with patch():
                timed(client, kind, stream, share, keep=True)
    for (_label, _paths, patch), kind, stream in zip(variants, kinds, streams, strict=True):
        with patch():
            instrumented(client, kind, stream, 3)
        quick_row(kind, plan=False)
    return kinds


def queue_html_experiments(client: Any) -> None:
    """The HTML queue's time is mostly template rendering: per row, and the labels' share."""
    from tips.models import Tip
    from triage import queue

    original_page = queue.page

    def page_25(tips: Any, *, cursor: str = "", size: int = queue.PAGE_SIZE) -> Any:
        return original_page(tips, cursor=cursor, size=25)

    labels = {
        name: dict(Tip._meta.get_field(name).flatchoices)
        for name in ("status", "category", "priority_level")
    }

    def label_of(name: str) -> Callable[[Any], str]:
        def display(tip: Any) -> str:
            value = getattr(tip, name)
            return str(labels[name].get(value, value))

        return display

    @contextlib.contextmanager
    def dict_labels() -> Iterator[None]:
        with (
            patched(Tip, "get_status_display", label_of("status")),
            patched(Tip, "get_category_display", label_of("category")),
            patched(Tip, "get_priority_level_display", label_of("priority_level")),
        ):
            yield

    print("the HTML queue page: what its rendering costs (alternating rounds):")
    compare(
        client,
        [
            ("as is: HTML first page (50 rows)", ["/triage/"], contextlib.nullcontext),
            ("25 rows a page", ["/triage/"], lambda: patched(queue, "page", page_25)),
            ("labels by dict, not get_FOO_display", ["/triage/"], dict_labels),
        ],
        REQUESTS,
    )


def tip_experiments(client: Any, world: World) -> None:
    """The tip page: the related-tips panel's share, and the page without it."""
    from triage import reading

    pages = [f"/triage/tips/{code}/" for code in world.real_codes]
    related = [f"/api/v1/triage/tips/{code}/related/" for code in world.real_codes]
    print("the tip page: the related-tips panel's share (alternating rounds):")
    kinds = compare(
        client,
        [
            ("as is: tip page", pages, contextlib.nullcontext),
            (
                "tip page without the related-tips panel",
                pages,
                lambda: patched(reading, "related_tips", lambda *_args, **_kwargs: []),
            ),
            ("related tips alone (API .../related/)", related, contextlib.nullcontext),
        ],
        max(REQUESTS, len(pages)),
    )
    related_query(kinds[0])


def related_query(kind: Kind) -> None:
    """EXPLAIN of the related-tips candidates query, and of a narrower shape of it."""
    from django.db import connection

    for sql in kind.sqls:
        if sql.startswith('SELECT DISTINCT "tips_tip"'):
            break
    else:
        return
    plan = explain(sql)
    print(f"  related-tips candidates query as run: {plan_summary(plan)}")
    for line in plan:
        print(f"      {line[:150]}")
    # The same candidates by `id IN (identifier subquery)`: no DISTINCT over wide rows.
    exclude = re.search(r'NOT \("tips_tip"\."id" = (\d+)\)', sql)
    if not exclude:
        return
    tip_id = int(exclude.group(1))
    narrow = (
        "SELECT id, code, created_at, category, status, content FROM tips_tip WHERE id IN"
        " (SELECT s.tip_id FROM tips_identifier r JOIN tips_identifier s"
        "  ON s.kind = r.kind AND s.digest = r.digest WHERE r.tip_id = %s)"
        " AND purged_at IS NULL AND id <> %s ORDER BY created_at DESC LIMIT 200"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {narrow}", [tip_id, tip_id])
        narrow_plan = [line for (line,) in cursor.fetchall()]
    print(f"  candidates by id IN (subquery), needed columns only: {plan_summary(narrow_plan)}")


# (label, file suffix, function names): where a page's time goes.
BREAKDOWN = (
    ("whole request (test client)", "django/test/client.py", "request"),
    ("  middleware before/after the view: session", "sessions/backends/db.py", "load save"),
    ("  queue: queue.page (query + rows)", "triage/queue.py", "page"),
    ("  tip: reading.open_tip", "triage/reading.py", "open_tip"),
    ("  tip: reading.related_tips", "triage/reading.py", "related_tips"),
    ("    extract.extract_all", "tips/extract.py", "extract_all"),
    ("  tip: reading.audit_trail", "triage/reading.py", "audit_trail"),
    ("  vault: keys.unwrap (hybrid HPKE)", "portal/vault/keys.py", "unwrap"),
    ("  vault: content.decrypt (AES-GCM)", "portal/vault/content.py", "decrypt"),
    ("  audit.record", "audit/record.py", "record"),
    ("  template rendering", "django/template/backends/django.py", "render"),
    ("  DRF rendering (JSON)", "rest_framework/renderers.py", "render"),
    ("  all SQL (driver: send + wait)", "django/db/backends/utils.py", "_execute"),
)


def profile_pages(client: Any, world: World) -> None:
    import cProfile
    import pstats

    rounds = 60
    pages = (
        ("queue, first page (HTML)", cycle(["/triage/"])),
        ("queue, first page (API)", cycle(["/api/v1/triage/tips/"])),
        ("tip page", cycle([f"/triage/tips/{code}/" for code in world.real_codes])),
    )
    print(
        f"where the time goes: {rounds} requests each under cProfile (which inflates Python-heavy"
        " code), cumulative ms per request:"
    )
    print(f"  {'':<46} " + " ".join(f"{name[:22]:>22}" for name, _paths in pages))
    tables = []
    for _name, paths in pages:
        stream = paths()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            client.get(next(stream), secure=True)
        profiler.disable()
        tables.append(pstats.Stats(profiler).stats)  # type: ignore[attr-defined]

    def cumulative(table: Any, module: str, functions: str) -> float:
        names = functions.split()
        return sum(v[3] for k, v in table.items() if k[0].endswith(module) and k[2] in names)

    for label, module, functions in BREAKDOWN:
        figures = [cumulative(table, module, functions) / rounds * 1000 for table in tables]
        print(f"  {label:<46} " + " ".join(f"{figure:22.2f}" for figure in figures))
    for (name, _paths), table in zip(pages, tables, strict=True):
        print(f"  {name}: top functions by own time")
        own = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)
        for (filename, line, function), (_cc, calls, tottime, _ct, _callers) in own[:8]:
            where = filename.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
            print(
                f"    {tottime / rounds * 1000:6.2f} ms {calls / rounds:7.1f}/req  "
                f"{where}:{line} {function}"
            )


def growth(results: dict[int, dict[str, Kind]]) -> None:
    if len(results) < 2:
        return
    small, large = SIZES[0], SIZES[-1]
    speed = results[large][REFERENCE].p(50) / results[small][REFERENCE].p(50)
    print(
        f"growth from {small:,} to {large:,} tips: ratio of the two runs above, and the same "
        f"divided by the reference page's p50 ratio ({speed:.2f}x: the machine's drift "
        "between the runs, since that page reads no tips):"
    )
    print(f"  {'':<40} {'p50':>7} {'p95':>7} {'p50/ref':>8} {'p95/ref':>8}  target")
    for name, kind in results[large].items():
        if name == REFERENCE:
            continue
        base = results[small][name]
        ratio50, ratio95 = kind.p(50) / base.p(50), kind.p(95) / base.p(95)
        note = ""
        if name.startswith("queue, first page"):
            note = verdict(
                ratio95 / speed <= TARGET_GROWTH, f"p95 ratio <= {TARGET_GROWTH:g}, drift removed"
            )
        print(
            f"  {name:<40} {ratio50:6.2f}x {ratio95:6.2f}x {ratio50 / speed:7.2f}x "
            f"{ratio95 / speed:7.2f}x  {note}"
        )


def _child_main() -> None:
    import django

    django.setup()
    import logging

    from django.conf import settings

    assert not settings.DEBUG
    # No broker: Celery runs tasks eagerly; kombu still warns that it has no hostname.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    started = time.perf_counter()
    print(
        f"production profile (DEBUG off), PostgreSQL, Django test client in-process; "
        f"{os.cpu_count()} cores; sizes {', '.join(f'{n:,}' for n in SIZES)}"
    )
    world = setup()
    loader = Loader(f"{PG_URL}/{DB_NAME}")
    results: dict[int, dict[str, Kind]] = {}
    try:
        for size in SIZES:
            wait_for_quiet(f"loading to {size:,} tips")
            grow(world, loader, size)
            wait_for_quiet(f"measuring at {size:,} tips")
            results[size] = measure(world, size)
        growth(results)
        diagnostics(world)
    finally:
        loader.close()
    print(f"child run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child_main()
    else:
        main()
