import pytest

from tips.scoring import WEIGHTS, Answer, Level, Recency, TipFacts, score


def codes(facts: TipFacts) -> dict[str, int]:
    return {reason.code: reason.points for reason in score(facts).reasons}


def test_it_gives_a_bare_tip_no_points_and_low_priority() -> None:
    result = score(TipFacts())
    assert (result.score, result.level, result.reasons) == (0, Level.LOW, ())


@pytest.mark.parametrize(
    ("facts", "code", "points"),
    [
        (TipFacts(immediate_danger=Answer.YES), "immediate_danger", WEIGHTS["immediate_danger"]),
        (TipFacts(immediate_danger=Answer.UNSURE), "immediate_danger_unsure", 15),
        (TipFacts(minor_involved=Answer.YES), "minor_involved", WEIGHTS["minor_involved"]),
        (TipFacts(minor_involved=Answer.UNSURE), "minor_involved_unsure", 10),
        (TipFacts(victim_asking_for_help=True), "victim_asking_for_help", 25),
        (TipFacts(recency=Recency.NOW), "recent_now", 10),
        (TipFacts(recency=Recency.WEEK), "recent_week", 5),
        (TipFacts(has_location=True), "specific_location", 5),
        (TipFacts(has_area=True), "area_given", 3),
        (TipFacts(identifier_count=2), "identifiers", 6),
        (TipFacts(identifier_count=50), "identifiers", WEIGHTS["identifiers_max"]),
        (TipFacts(attachment_count=3), "attachments", 5),
        # Indicators weigh by strength (tips/priority_table.py), no longer 2 points each.
        (TipFacts(indicators=frozenset({"debt", "unpaid"})), "indicators", 24),
        (TipFacts(indicators=frozenset({"fearful"})), "indicators", 2),
        (TipFacts(signals=frozenset({"locked_in"})), "signal_locked_in", 15),
    ],
)
def test_it_explains_each_factor(facts: TipFacts, code: str, points: int) -> None:
    assert codes(facts) == {code: points}
    assert score(facts).score == points


def test_it_makes_immediate_danger_urgent_whatever_the_score() -> None:
    assert score(TipFacts(immediate_danger=Answer.YES)).level == Level.URGENT


def test_it_ignores_unknown_indicator_codes() -> None:
    assert codes(TipFacts(indicators=frozenset({"race", "made-up"}))) == {}


def test_it_caps_indicator_points() -> None:
    many = frozenset({"debt", "unpaid", "no_documents", "fearful", "lives_at_work", "online_ads",
                      "excessive_hours", "signs_of_abuse"})  # fmt: skip
    assert codes(TipFacts(indicators=many))["indicators"] == WEIGHTS["indicators_max"]


@pytest.mark.parametrize(
    ("facts", "level"),
    [
        (TipFacts(minor_involved=Answer.YES, victim_asking_for_help=True), Level.HIGH),
        (TipFacts(minor_involved=Answer.YES), Level.NORMAL),
        (TipFacts(has_location=True, identifier_count=1), Level.LOW),
        (
            TipFacts(
                minor_involved=Answer.YES,
                victim_asking_for_help=True,
                recency=Recency.NOW,
                has_location=True,
                identifier_count=4,
            ),
            Level.URGENT,
        ),
    ],
)
def test_it_maps_the_score_to_a_level(facts: TipFacts, level: Level) -> None:
    assert score(facts).level == level


def test_it_never_exceeds_one_hundred() -> None:
    everything = TipFacts(
        immediate_danger=Answer.YES,
        minor_involved=Answer.YES,
        victim_asking_for_help=True,
        recency=Recency.NOW,
        has_location=True,
        has_area=True,
        identifier_count=20,
        attachment_count=5,
        indicators=frozenset({"debt", "unpaid", "no_documents", "fearful", "lives_at_work"}),
    )
    result = score(everything)
    assert result.score == 100
    assert sum(r.points for r in result.reasons) > 100  # capped, reasons kept in full
