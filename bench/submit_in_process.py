"""The submission in-process, under the gunicorn server's settings and database.

Run by bench/submit.py as `python -m bench.submit_in_process` once the load is over, with the
server's environment: Django's test client, one thread.

- Always: the queries of one request and queries per request (baseline and tip), each
  request's mean time.
- With BENCH_SUBMIT_PROFILE=1 (bench/submit.py sets it when a target is missed): where a
  submission's time goes: its big steps timed on their own, wall-clock sampling (shares without
  cProfile's inflation), and cProfile.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench.harness.profile import Step, print_breakdown, print_top, profiled
from bench.harness.report import row
from bench.harness.sql import QueryTimer
from bench.tip_json import Choices, app_choices, tip_body

TIPS_PATH = "/api/v1/tips/"
INSERT_PATH = "/bench/insert/"
ROUNDS = 300

# The steps of a submission, to attribute its time.
STEPS: tuple[Step, ...] = (
    ("whole request (WSGI handler)", "django/test/client.py", "__call__"),
    ("TipsView.post", "tips/api.py", "post"),
    ("TipSerializer validation", "rest_framework/serializers.py", "is_valid"),
    ("actions.do_submit_tip", "tips/actions.py", "do_submit_tip"),
    ("extract.extract_all", "tips/extract.py", "extract_all"),
    ("extract.index_values (HMAC)", "tips/extract.py", "index_values"),
    ("score_submission", "tips/actions.py", "score_submission"),
    (
        "receipt, its lookup, tipster keypair",
        "portal/vault/tipster.py",
        "new_receipt receipt_lookup tipster_keypair",
    ),
    ("vault.new_record_key (desk read, wraps)", "portal/vault/records.py", "new_record_key"),
    ("  keys.wrap (hybrid HPKE)", "portal/vault/keys.py", "wrap"),
    ("content.encrypt", "portal/vault/content.py", "encrypt"),
    ("Tip.save (1 insert)", "django/db/models/base.py", "save"),
    ("Identifier bulk_create", "django/db/models/query.py", "bulk_create"),
    ("audit.record (one insert, no lock)", "audit/record.py", "record"),
    ("commit", "django/db/backends/base/base.py", "commit"),
    ("audit sequencer after commit (lock, link)", "audit/sequencer.py", "sequence"),
    ("all SQL (driver: send + wait)", "django/db/backends/utils.py", "_execute"),
    ("Celery publish (urgent tips)", "celery/app/task.py", "apply_async"),
)

Post = Callable[[str, int], int]


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    choices = app_choices()
    rng = random.Random(99)  # noqa: S311 - test data, not secrets
    client = Client(HTTP_HOST="localhost")

    def post(path: str, serial: int) -> int:
        body = tip_body(rng, serial, choices)
        return client.post(path, body, content_type="application/json").status_code

    for serial in range(50):
        assert post(TIPS_PATH, 9_000_000 + serial) == 201
        assert post(INSERT_PATH, 9_000_000 + serial) == 201
    print("in-process (Django test client, one thread, the server's settings and database):")
    queries_per_request(post)
    for name, path in (("baseline insert", INSERT_PATH), ("tip submission", TIPS_PATH)):
        started = time.perf_counter()
        for serial in range(ROUNDS):
            post(path, 9_200_000 + serial)
        per = (time.perf_counter() - started) / ROUNDS * 1000
        row(f"{name}: one request", f"{per:.2f} ms", f"mean of {ROUNDS}, body building included")
    if os.environ.get("BENCH_SUBMIT_PROFILE") == "1":
        direct_timings(choices)
        sample_tips(post)
        profile_tips(post)


def queries_per_request(post: Post) -> None:
    from django.db import connection

    for name, path in (("baseline insert", INSERT_PATH), ("tip submission", TIPS_PATH)):
        counts, spent = [], []
        for serial in range(100):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                assert post(path, 9_100_000 + serial) == 201
            counts.append(len(timer.queries))
            spent.append(timer.seconds)
            if serial == 0:
                print(f"  {name}, one request's queries:")
                for seconds, sql in timer.queries:
                    print(f"    {seconds * 1000:6.2f} ms  {' '.join(sql.split())[:96]}")
        row(
            f"{name}: queries per request",
            f"{min(counts)}-{max(counts)}",
            f"mean {sum(counts) / len(counts):.1f}, {sum(spent) / len(spent) * 1000:.2f} ms "
            "in the database driver (mean)",
        )


def direct_timings(choices: Choices) -> None:
    """The big steps of a submission called on their own, without a profiler's overhead."""
    from django.db import transaction

    from portal import vault
    from tips import actions, extract
    from tips.api import TipSerializer

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    documents = [json.loads(tip_body(rng, 9_500_000 + i, choices)) for i in range(ROUNDS)]

    def validated(document: dict[str, Any]) -> Any:
        serializer = TipSerializer(data=document)
        serializer.is_valid(raise_exception=True)
        return serializer.submission(())

    submissions = [validated(document) for document in documents]

    def extraction(submission: Any) -> Any:
        found = extract.extract_all(submission.identifiers, *submission.free_texts())
        return extract.index_values(found)

    def record_key(_submission: Any) -> Any:
        # As the submission asks for it: the desk by name, read inside new_record_key.
        with transaction.atomic():
            key = vault.new_record_key(("tips.tip", "bench"), desks=[vault.TRIAGE_SLUG])
            transaction.set_rollback(True)
        return key

    steps = (
        (
            "JSON parse + TipSerializer + submission",
            documents,
            lambda d: validated(json.loads(json.dumps(d))),
        ),
        ("extract_all + index_values", submissions, extraction),
        ("new_record_key, triage desk (rolled back)", submissions, record_key),
        ("actions.do_submit_tip (stores the tip)", submissions, actions.do_submit_tip),
    )
    print(f"timed on their own (mean of {ROUNDS} calls, no profiler):")
    for label, inputs, step in steps:
        step(inputs[0])
        started = time.perf_counter()
        for item in inputs:
            step(item)
        row(f"  {label}", f"{(time.perf_counter() - started) / len(inputs) * 1000:.2f} ms")


def sample_tips(post: Post) -> None:
    """Wall-clock sampling (every ~1 ms, from a thread): shares without cProfile's inflation."""
    main_id, stop, counts = threading.get_ident(), threading.Event(), Counter()
    wanted = [(module, set(functions.split()), label) for label, module, functions in STEPS]

    def sampler() -> None:
        while not stop.is_set():
            frame = sys._current_frames().get(main_id)
            seen = set()
            while frame is not None:
                seen.add((frame.f_code.co_filename, frame.f_code.co_name))
                frame = frame.f_back
            for module, names, label in wanted:
                if any(name in names and path.endswith(module) for path, name in seen):
                    counts[label] += 1
            time.sleep(0.001)  # the sampling interval

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)  # lets the sampler in while the request runs Python
    thread = threading.Thread(target=sampler, daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        for serial in range(ROUNDS):
            post(TIPS_PATH, 9_400_000 + serial)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    per = (time.perf_counter() - started) / ROUNDS * 1000
    whole = counts[STEPS[0][0]] or 1
    print(
        f"sampled: {ROUNDS} tip submissions, {per:.2f} ms each with the sampler on; share of the"
        " request's wall time (and that share of it in ms):"
    )
    for label, _module, _functions in STEPS:
        share = counts[label] / whole
        row(f"  {label}", f"{share * per:.2f} ms", f"{share * 100:5.1f}%")


def profile_tips(post: Post) -> None:
    serials = iter(range(9_300_000, 9_300_000 + ROUNDS))
    table = profiled(lambda: post(TIPS_PATH, next(serials)), ROUNDS)
    print(
        f"profile: {ROUNDS} tip submissions under cProfile (which inflates Python-heavy code);"
        " cumulative ms per submission and share of the whole:"
    )
    print_breakdown([("tip submission", table)], STEPS, ROUNDS)
    print("  top functions by own time:")
    print_top(table, ROUNDS, 15)


if __name__ == "__main__":
    main()
