"""A small world whose statistics are known: five tips and a purged one in June 2026, their
claims, closes, referrals, a mandated report and three handoffs (two to org-a, one to org-b).

Rows are made directly (no vault, no text): the statistics read only plaintext metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 17, 12, 0, tzinfo=ZONE)  # a Wednesday
RANGE = {"from": "2026-06-01", "to": "2026-06-17"}
SLA = {"urgent": 15, "high": 60, "normal": 60, "low": 240}
_serial = count(1)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


def make_tip(created: datetime, category: str, area: str, level: str, **fields: Any):
    from tips.models import Tip

    claimed = fields.pop("claimed_after", None)
    n = next(_serial)
    return Tip.objects.create(
        created_at=created,
        updated_at=created,
        what=category,
        category=category,
        area=area,
        priority_score=50,
        computed_level=level,
        priority_level=level,
        immediate_danger="no",
        minor_involved=fields.pop("minor_involved", "no"),
        content=b"sealed",
        receipt_lookup=n.to_bytes(32, "big"),
        tipster_public_key=b"k",
        sla_due_at=created + timedelta(minutes=SLA[level]),
        claimed_at=created + timedelta(minutes=claimed) if claimed is not None else None,
        status="closed" if fields.get("close_reason") else "in_review",
        **fields,
    )


def make_handoff(tip, organization, created: datetime, by, **fields: Any):
    from handoffs.models import Handoff

    return Handoff.objects.create(
        tip=tip,
        organization=organization,
        created_by=by,
        created_at=created,
        updated_at=created,
        request=b"sealed",
        sla_due_at=created + timedelta(hours=24),
        **fields,
    )


@dataclass
class World:
    tips: dict[str, Any]
    handoffs: dict[str, Any]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def world(db, clock, investigator, liaison_a, liaison_b) -> World:
    from handoffs.models import Activity, Consent
    from partners.models import Organization
    from retention.models import TipTombstone
    from triage.models import MinorReport, Referral

    org_a, org_b = Organization.objects.get(slug="org-a"), Organization.objects.get(slug="org-b")
    t0 = make_tip(at(31, 23, month=5), "sex_trafficking", "olathe", "high")  # before the range
    t1 = make_tip(at(1), "sex_trafficking", "olathe", "urgent", minor_involved="yes",
                  claimed_after=10)  # fmt: skip
    t2 = make_tip(at(2), "sex_trafficking", "olathe", "high", claimed_after=30)
    t3 = make_tip(at(9), "labor_trafficking", "lenexa", "normal", claimed_after=120,
                  close_reason="resolved")  # fmt: skip
    t4 = make_tip(at(10), "victim_needs_help", "olathe", "urgent", victim_self_report=True,
                  claimed_after=5)  # fmt: skip
    t5 = make_tip(at(16), "labor_trafficking", "lenexa", "low", close_reason="spam")
    TipTombstone.objects.create(
        code="00000000-0000-4000-8000-000000000001",
        created_at=at(3),
        closed_at=at(4),
        purged_at=at(5),
        category="sex_trafficking",
        priority_level="normal",
        area="olathe",
        close_reason="unfounded",
    )
    for tip, destination, made in ((t3, "city_vice", at(11)), (t1, "fbi", at(2)),
                                   (t0, "fbi", at(20, month=5))):  # fmt: skip
        Referral.objects.create(
            tip=tip, destination=destination, reason=b"x", created_by=investigator, created_at=made
        )
    MinorReport.objects.create(
        tip=t1, agency="kansas_dcf", reference=b"x", made_by=investigator, made_at=at(1, 11)
    )
    h1 = make_handoff(t4, org_a, at(10, 9), investigator, status="closed",
                      outcome="services_provided", services=["shelter", "counseling"],
                      services_provided=["shelter"], accepted_at=at(10, 10))  # fmt: skip
    Consent.objects.create(
        handoff=h1, method="verbal", statement_version="1", expires_at=date(2026, 9, 1),
        recorded_by=investigator, scope=["contact"],
    )  # fmt: skip
    for minutes in (300, 180):
        Activity.objects.create(handoff=h1, kind="contact_attempt", body=b"x", author=liaison_a,
                                created_at=at(10, 9) + timedelta(minutes=minutes))  # fmt: skip
    Activity.objects.create(handoff=h1, kind="note", body=b"x", author=liaison_a,
                            created_at=at(10, 9, 30))  # fmt: skip
    h2 = make_handoff(t1, org_a, at(2, 9), investigator, status="declined", services=["housing"])
    h3 = make_handoff(t2, org_b, at(3, 9), investigator, services=["counseling"])
    return World(
        tips={"t0": t0, "t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5},
        handoffs={"h1": h1, "h2": h2, "h3": h3},
    )
