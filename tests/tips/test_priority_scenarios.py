"""The written scenarios of tips/priority_table.py, each scored the way a submission is."""

import pytest

from tips.actions import score_submission
from tips.indicators import INDICATOR_CODES
from tips.priority_table import INDICATOR_WEIGHTS, SCENARIOS, SIGNALS, Scenario
from tips.scoring import Answer, Level, TipFacts, score
from tips.signals import strong_signals
from tips.submission import TipSubmission


def submission_for(scenario: Scenario) -> TipSubmission:
    return TipSubmission(
        what="other",
        description=scenario.description,
        immediate_danger=scenario.immediate_danger,
        minor_involved=scenario.minor_involved,
        recency=scenario.recency,
        location=scenario.location,
        area=scenario.area,
        people=scenario.people,
        indicators=scenario.indicators,
        language=scenario.language,
        victim_self_report=scenario.victim_self_report,
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_each_scenario_gets_its_level(scenario: Scenario) -> None:
    priority = score_submission(submission_for(scenario), scenario.identifiers)
    assert priority.level == scenario.level, priority


def test_the_table_covers_both_languages_and_every_kind_of_tip() -> None:
    assert len(SCENARIOS) >= 20
    names = " ".join(scenario.name for scenario in SCENARIOS)
    for part in ("en_", "es_", "labour", "sex", "online_enticement", "vague"):
        assert part in names
    assert {scenario.level for scenario in SCENARIOS} == {level.value for level in Level}


def test_the_spanish_labour_tip_is_no_longer_low() -> None:
    scenario = next(s for s in SCENARIOS if s.name == "es_labour_passports_unpaid_sleep_on_site")
    priority = score_submission(submission_for(scenario), 0)
    codes = {reason.code for reason in priority.reasons}
    assert {"signal_documents_taken", "signal_not_paid"} <= codes
    assert priority.level == Level.HIGH


def test_strong_forced_labour_indicators_alone_reach_high() -> None:
    strong = frozenset({"no_documents", "not_free_to_leave", "signs_of_abuse"})
    assert score(TipFacts(indicators=strong)).level == Level.HIGH


def test_strong_signs_weigh_far_more_than_weak_ones() -> None:
    assert set(INDICATOR_WEIGHTS) == INDICATOR_CODES
    for strong in ("no_documents", "unpaid", "debt", "not_free_to_leave", "signs_of_abuse"):
        assert INDICATOR_WEIGHTS[strong] >= 4 * INDICATOR_WEIGHTS["fearful"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("They took our passports", "documents_taken"),
        ("Le quitaron los papeles al llegar", "documents_taken"),
        ("We haven't been paid in weeks", "not_paid"),
        ("No nos han pagado nada", "not_paid"),
        ("She can't leave the house", "cannot_leave"),
        ("No los dejan salir", "cannot_leave"),
        ("They are locked in at night", "locked_in"),
        ("Están ENCERRADAS en el cuarto", "locked_in"),
        ("He says they owe him money", "owes_debt"),
        ("Tienen una deuda con el patrón", "owes_debt"),
        ("She is only 16 years old", "under_18"),
        ("Son menores de edad", "under_18"),
        ("He threatens to hurt them", "threatened"),
        ("Los amenaza con deportarlos", "threatened"),
        ("He asked for nude pics", "online_enticement"),
        ("Le pide fotos íntimas", "online_enticement"),
    ],
)
def test_each_signal_is_found_in_either_language(text: str, code: str) -> None:
    assert code in strong_signals([text])


def test_plain_text_has_no_signals() -> None:
    assert strong_signals(["Lots of cars at night, the neighbours seem friendly."]) == frozenset()


def test_only_the_code_is_kept_never_the_words() -> None:
    priority = score(TipFacts(signals=strong_signals(["They took our passports"])))
    assert [reason.as_dict() for reason in priority.reasons] == [
        {"code": "signal_documents_taken", "points": SIGNALS[0].points}
    ]


def test_signal_points_are_capped() -> None:
    every = frozenset(signal.code for signal in SIGNALS)
    priority = score(TipFacts(signals=every, immediate_danger=Answer.NO))
    assert priority.score == 40
