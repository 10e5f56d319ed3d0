"""Synthetic tips by binary COPY, straight into the tables, a batch per transaction.

`tips_tip` rows with statuses, categories and scores computed by `tips.scoring` from random
facts (with their reasons, levels and ranks), two years of `created_at`, SLA, assignees, and
byte columns as long as the real tips' ones; plus what a real tip brings along: its blind-index
`Identifier` rows (16-bit digests), its data key wrapped to the triage desk (`WrappedKey`,
random bytes of the real length) and its audit entries (TIP_SUBMITTED, TIP_CLAIMED), chained
like `audit.record` chains them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

BATCH = 20_000
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

    def retention_dates(self, status: str, close_reason: str, created: Any) -> dict[str, Any]:
        from retention import policy

        closed_at = None
        if status == "closed":
            closed_at = min(self.now, created + dt.timedelta(days=self.rng.uniform(1, 60)))
        return {
            "closed_at": closed_at,
            "hold": False,
            "hold_reason": None,
            "purge_after": policy.purge_after_closing(close_reason, closed_at)
            if closed_at
            else None,
            "purge_warned_for": None,
            "review_due": policy.review_due_from(created),
            "unreviewed_limit": policy.unreviewed_limit_from(created),
        }

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
            # Retention dates, as the portal sets them (retention/dates.py): closing sets
            # `closed_at` and `purge_after`; an open tip has its review and unreviewed limits.
            **self.retention_dates(status, close_reason, created),
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
