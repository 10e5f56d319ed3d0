"""Explainable priority: every point a tip gets comes with the reason it got it.

The weights of the form's answers live in `WEIGHTS`; the weights of the trafficking indicators
and of the strong signals found in the text live with the written scenarios that fix their
levels, in tips/priority_table.py, so every change shows in the tests. The score is computed
once at submission and kept with its reasons; investigators may override the level (audited),
never the record of why the tip scored what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tips.indicators import INDICATOR_CODES
from tips.priority_table import INDICATOR_WEIGHTS, INDICATORS_MAX, SIGNALS, SIGNALS_MAX


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Recency(StrEnum):
    NOW = "now"  # happening now or within the day
    WEEK = "week"
    EARLIER = "earlier"
    UNKNOWN = "unknown"


class Level(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


WEIGHTS: dict[str, int] = {
    "immediate_danger": 40,
    "immediate_danger_unsure": 15,
    "minor_involved": 25,
    "minor_involved_unsure": 10,
    "victim_asking_for_help": 25,
    "recent_now": 10,
    "recent_week": 5,
    "specific_location": 5,
    "area_given": 3,
    "per_identifier": 3,
    "identifiers_max": 12,
    "attachments": 5,
    "indicators_max": INDICATORS_MAX,
    "signals_max": SIGNALS_MAX,
}
SIGNAL_POINTS: dict[str, int] = {signal.code: signal.points for signal in SIGNALS}
# Score thresholds for the levels; immediate danger is urgent whatever the score.
LEVEL_THRESHOLDS: list[tuple[int, Level]] = [
    (70, Level.URGENT),
    (45, Level.HIGH),
    (20, Level.NORMAL),
]


@dataclass(frozen=True)
class TipFacts:
    """What scoring may look at: the triage metadata and counts, never the text itself."""

    immediate_danger: Answer = Answer.NO
    minor_involved: Answer = Answer.NO
    victim_asking_for_help: bool = False
    recency: Recency = Recency.UNKNOWN
    has_location: bool = False
    has_area: bool = False
    identifier_count: int = 0
    attachment_count: int = 0
    indicators: frozenset[str] = field(default_factory=frozenset)
    # Codes of the strong signals found in the free text (tips/signals.py); never the text.
    signals: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Reason:
    code: str
    points: int

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "points": self.points}


@dataclass(frozen=True)
class Priority:
    score: int
    level: Level
    reasons: tuple[Reason, ...]


def _points(facts: TipFacts) -> list[Reason]:
    w = WEIGHTS
    reasons: list[Reason] = []
    if facts.immediate_danger == Answer.YES:
        reasons.append(Reason("immediate_danger", w["immediate_danger"]))
    elif facts.immediate_danger == Answer.UNSURE:
        reasons.append(Reason("immediate_danger_unsure", w["immediate_danger_unsure"]))
    if facts.minor_involved == Answer.YES:
        reasons.append(Reason("minor_involved", w["minor_involved"]))
    elif facts.minor_involved == Answer.UNSURE:
        reasons.append(Reason("minor_involved_unsure", w["minor_involved_unsure"]))
    if facts.victim_asking_for_help:
        reasons.append(Reason("victim_asking_for_help", w["victim_asking_for_help"]))
    if facts.recency == Recency.NOW:
        reasons.append(Reason("recent_now", w["recent_now"]))
    elif facts.recency == Recency.WEEK:
        reasons.append(Reason("recent_week", w["recent_week"]))
    if facts.has_location:
        reasons.append(Reason("specific_location", w["specific_location"]))
    if facts.has_area:
        reasons.append(Reason("area_given", w["area_given"]))
    if facts.identifier_count > 0:
        points = min(facts.identifier_count * w["per_identifier"], w["identifiers_max"])
        reasons.append(Reason("identifiers", points))
    if facts.attachment_count > 0:
        reasons.append(Reason("attachments", w["attachments"]))
    reasons.extend(_indicator_and_signal_points(facts))
    return reasons


def _indicator_and_signal_points(facts: TipFacts) -> list[Reason]:
    w = WEIGHTS
    reasons: list[Reason] = []
    known = facts.indicators & INDICATOR_CODES
    if known:
        points = sum(INDICATOR_WEIGHTS.get(code, 0) for code in known)
        reasons.append(Reason("indicators", min(points, w["indicators_max"])))
    # Each signal is its own reason, so the tip shows which sign was named; together they are
    # capped, so a long tip that names everything cannot outweigh the answers to the questions.
    room = w["signals_max"]
    for code in sorted(facts.signals & SIGNAL_POINTS.keys()):
        points = min(SIGNAL_POINTS[code], room)
        if points <= 0:
            break
        reasons.append(Reason(f"signal_{code}", points))
        room -= points
    return reasons


def score(facts: TipFacts) -> Priority:
    reasons = tuple(_points(facts))
    total = max(0, min(100, sum(reason.points for reason in reasons)))
    level = Level.LOW
    for threshold, candidate in LEVEL_THRESHOLDS:
        if total >= threshold:
            level = candidate
            break
    if facts.immediate_danger == Answer.YES:
        level = Level.URGENT
    return Priority(score=total, level=level, reasons=reasons)
