"""The numbers behind a tip's priority, in one place: indicator weights, strong text signals,
and the written scenarios whose expected levels fix how they add up.

Indicator weights follow the ILO indicators of forced labour (retention of identity documents,
withholding of wages, debt bondage, restriction of movement, intimidation and threats,
physical violence) and the DHS Blue Campaign signs: the strongest signs of forced labour weigh
far more than signs that fit many harmless situations ("seems nervous", "answers seem
rehearsed"). Three strong signs together reach `high` on their own.

A strong signal is a phrase in the free text, English or Spanish, that names one of those signs
outright ("they took our passports", "no nos han pagado"). The text is scanned in memory before
it is sealed; only the signal's code is kept with the tip's reasons, never the words.

Changing a number here moves the scenarios in tests/tips/test_priority_scenarios.py: each change
shows as the scenarios it moves, and must be justified by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Points per indicator the tipster ticked (codes from tips/indicators.py).
INDICATOR_WEIGHTS: dict[str, int] = {
    # ILO: retention of identity documents.
    "no_documents": 15,
    # ILO: restriction of movement; isolation.
    "not_free_to_leave": 15,
    # ILO: physical and sexual violence; intimidation and threats.
    "signs_of_abuse": 15,
    # ILO: debt bondage.
    "debt": 12,
    # ILO: withholding of wages.
    "unpaid": 12,
    "no_money_control": 10,
    # Blue Campaign: someone else speaks for them or controls where they go.
    "controlled_by_other": 8,
    # ILO: abusive working and living conditions; excessive overtime.
    "lives_at_work": 5,
    "excessive_hours": 5,
    "transported_by_other": 5,
    "online_ads": 5,
    # Signs that fit many harmless situations.
    "many_occupants": 3,
    "inconsistent_story": 3,
    "recently_arrived": 2,
    "fearful": 2,
    "scripted_answers": 2,
}
INDICATORS_MAX = 50


@dataclass(frozen=True)
class Signal:
    """A strong sign named outright in the text. `patterns` are regular expressions matched on
    lower-cased text with accents removed, so "están encerradas" and "estan encerradas" match
    alike."""

    code: str
    points: int
    patterns: tuple[str, ...] = field(default_factory=tuple)


_PAPERS_EN = r"(passports?|papers|documents|ids?|id cards?|identification|visas?)"
_PAPERS_ES = r"(pasaportes?|papeles|documentos|identificaci\w*|credencial\w*|visas?)"
_THEM_ES = r"(?:(?:los|las|la|lo|le|les|me|nos|te)\s+)?"

SIGNALS: tuple[Signal, ...] = (
    Signal(
        "documents_taken",
        12,
        (
            rf"\b(took|take[ns]?|taking|holds?|holding|held|keeps?|keeping|kept|confiscat\w*"
            rf"|withh[eo]ld\w*|has|have)\b[^.!?]{{0,40}}\b{_PAPERS_EN}\b",
            rf"\b{_PAPERS_EN}\b[^.!?]{{0,30}}\b(taken|confiscated|held|kept|withheld)\b",
            rf"\b(quit\w*|guard\w*|retien\w*|retuv\w*|tiene[n]?|ten\w*|confisc\w*)\b"
            rf"[^.!?]{{0,40}}\b{_PAPERS_ES}\b",
            rf"\b{_PAPERS_ES}\b[^.!?]{{0,30}}\b(quitad\w*|retenid\w*|confiscad\w*|guardad\w*)\b",
        ),
    ),
    Signal(
        "not_paid",
        8,
        (
            r"\b(not|never|no longer|hasn't|haven't|hasnt|havent)\s+(been\s+|being\s+)?"
            r"(paid|paying|pay)\b",
            r"\b(don't|doesn't|dont|doesnt|do not|does not|won't|will not)\s+(get\s+)?"
            r"(pay|paid)\b",
            r"\b(unpaid|without pay|no pay|withheld (wages|pay)|wages withheld)\b",
            rf"\bno\s+{_THEM_ES}(ha[ns]?\s+|hemos\s+)?(pag\w*|cobr\w*)",
            r"\bsin\s+(pago|paga|sueldo|salario|cobrar)\b",
        ),
    ),
    Signal(
        "cannot_leave",
        12,
        (
            r"\b(can't|cant|cannot|can not|couldn't|not allowed to|aren't allowed to|"
            r"isn't allowed to|not free to)\s+(leave|go out|go home|quit)\b",
            r"\b(won't|will not|doesn't|does not|don't|do not)\s+let\s+\w+\s+(leave|go)\b",
            r"\bno\s+(pued\w*|pod\w*)\s+(salir|irse|irnos|irme|dejar)\b",
            rf"\bno\s+{_THEM_ES}deja\w*\s+(salir|ir\w*)\b",
        ),
    ),
    Signal(
        "locked_in",
        15,
        (
            r"\block(s|ed|ing)?\s+(\w+\s+)?(in|up|inside)\b",
            r"\b(chained|chains them|kept in a room)\b",
            r"\b(encerrad\w*|encierr\w*|bajo llave|bajo candado|encadenad\w*)\b",
        ),
    ),
    Signal(
        "owes_debt",
        8,
        (
            r"\b(owes?|owed|owing)\b[^.!?]{0,30}\b(debt|money|dollars|\$)",
            r"\b(debt bondage|pay off (a|the|their|his|her|my|our) debt|work off)\b",
            r"\b(owes?|owed)\s+(him|her|them|the boss)\b",
            r"\b(deudas?|endeudad\w*)\b",
            r"\bdeben?\s+(dinero|plata|mucho|\$)",
        ),
    ),
    Signal(
        "under_18",
        15,
        (
            r"\b(under\s*(18|eighteen)|underage|minors?)\b",
            r"\b1[0-7]\s*(-|\s)?(years?\s*old|yrs?\s*old|yo|y/o)\b",
            r"\b(about|around|maybe|looks|aged?)\s+1[0-7]\b",
            r"\b(young teens?|teenage (girls?|boys?)|children|child|kids?)\b",
            r"\b(menor(es)? de (edad|18)|menores)\b",
            r"\b1[0-7]\s*anos\b",
            r"\b(ninas?|ninos?|adolescentes?|chamac\w*)\b",
        ),
    ),
    Signal(
        "threatened",
        15,
        (
            r"\b(threat\w*|beats?|beaten|beating|hits? (them|her|him|us|me)|"
            r"hurt (them|her|him|us|me)|report (them|her|him|us|me) to immigration|deport\w*)\b",
            r"\b(amenaz\w*|golpe\w*|les pega\w*|nos pega\w*|la pega\w*|lo pega\w*|"
            r"denunciar\w* a (migracion|inmigracion)|deport\w*)\b",
        ),
    ),
    Signal(
        "online_enticement",
        12,
        (
            r"\b(nude|naked|explicit|sexual|sexy|private)\s+(photos?|pictures?|pics|images|"
            r"videos?|selfies?)\b",
            r"\b(sextort\w*|groom(ing|ed|s)?)\b",
            r"\bfotos?\s+(intimas|desnud\w*|sexuales|privadas)\b",
            r"\b(videos?\s+(intimos|sexuales)|desnud\w*|sextorsion)\b",
        ),
    ),
)
SIGNALS_MAX = 40


@dataclass(frozen=True)
class Scenario:
    """A written tip and the level it must get. The fields are those of a form submission."""

    name: str
    level: str
    description: str
    immediate_danger: str = "no"
    minor_involved: str = "no"
    recency: str = "unknown"
    location: str = ""
    area: str = ""
    people: str = ""
    indicators: frozenset[str] = frozenset()
    identifiers: int = 0
    victim_self_report: bool = False
    language: str = "en"


SCENARIOS: tuple[Scenario, ...] = (
    # --- Labour trafficking -------------------------------------------------------------------
    Scenario(
        "es_labour_passports_unpaid_sleep_on_site",
        "high",
        "El jefe tiene los pasaportes de seis trabajadores, no les ha pagado en dos meses y los "
        "hace dormir en el sitio.",
        recency="week",
        area="north",
        indicators=frozenset({"no_documents", "unpaid", "lives_at_work"}),
        language="es",
    ),
    Scenario(
        "en_labour_strong_indicators_only",
        "high",
        "Workers at the farm on the county road.",
        indicators=frozenset({"no_documents", "not_free_to_leave", "debt", "unpaid"}),
    ),
    Scenario(
        "en_labour_text_only",
        "high",
        "The crew boss took their passports and says they owe him $4,000 for the trip. They "
        "cannot leave the motel and have not been paid since March.",
        recency="week",
    ),
    Scenario(
        "es_labour_locked_in_restaurant",
        "high",
        "Los cocineros del restaurante duermen en la bodega y el dueño los encierra con llave "
        "por la noche. Dicen que le deben dinero.",
        recency="now",
        location="Calle Principal",
        indicators=frozenset({"lives_at_work", "debt"}),
        language="es",
    ),
    Scenario(
        "en_labour_long_hours_only",
        "low",
        "They work really long hours at the car wash, every day of the week.",
        indicators=frozenset({"excessive_hours"}),
    ),
    Scenario(
        "es_labour_threats_deportation",
        "normal",
        "El patrón amenaza con llamar a migración si se quejan. Trabajan de sol a sol.",
        indicators=frozenset({"excessive_hours"}),
        language="es",
    ),
    Scenario(
        "en_domestic_worker_cannot_leave",
        "high",
        "A nanny next door is never allowed out. The family keeps her passport and she is not "
        "allowed to leave the house alone.",
        recency="now",
        area="south",
        indicators=frozenset({"no_documents", "not_free_to_leave"}),
    ),
    # --- Sex trafficking ----------------------------------------------------------------------
    Scenario(
        "en_sex_minor_now_with_location",
        "urgent",
        "A girl who looks about 15 is being brought to room 12 at the motel by an older man.",
        immediate_danger="unsure",
        minor_involved="yes",
        recency="now",
        location="Motel 8, room 12",
        indicators=frozenset({"controlled_by_other"}),
    ),
    Scenario(
        "es_sex_minor_locked_in",
        "urgent",
        "Hay una niña de 16 años encerrada en un departamento, un hombre la vigila y no la deja "
        "salir.",
        minor_involved="yes",
        recency="now",
        location="Apartamentos del centro, 3B",
        language="es",
    ),
    Scenario(
        "en_sex_immediate_danger",
        "urgent",
        "Someone is screaming for help in the van right now.",
        immediate_danger="yes",
    ),
    Scenario(
        "en_sex_adult_controlled_ads",
        "normal",
        "A woman at the spa is always escorted by the same man, and I saw her photo in online ads.",
        indicators=frozenset({"controlled_by_other", "online_ads", "transported_by_other"}),
        identifiers=1,
    ),
    Scenario(
        "es_sex_debt_threats",
        "high",
        "Las muchachas dicen que tienen una deuda con el dueño del bar y que él las amenaza. No "
        "pueden salir.",
        recency="week",
        area="east",
        indicators=frozenset({"debt", "fearful"}),
        language="es",
    ),
    Scenario(
        "en_sex_self_report",
        "high",
        "I need to get out, he keeps my ID and says I owe him.",
        victim_self_report=True,
    ),
    # --- Online enticement --------------------------------------------------------------------
    Scenario(
        "en_online_enticement_child",
        "high",
        "A man on a game chat keeps asking my 13 year old for nude pictures and wants to meet.",
        minor_involved="yes",
        recency="week",
        identifiers=2,
    ),
    Scenario(
        "es_online_enticement_teen",
        "high",
        "Un adulto le pide fotos íntimas a mi hija de 14 años por Instagram.",
        minor_involved="yes",
        recency="now",
        identifiers=1,
        language="es",
    ),
    Scenario(
        "en_online_enticement_unsure_age",
        "normal",
        "Someone online is grooming kids in a gaming server, not sure how old they are.",
        minor_involved="unsure",
        identifiers=1,
    ),
    # --- Vague tips ---------------------------------------------------------------------------
    Scenario(
        "en_vague_massage_front",
        "low",
        "I think the massage place is a front. Lots of men come and go late.",
        indicators=frozenset({"online_ads"}),
        area="west",
    ),
    Scenario(
        "es_vague_many_cars",
        "low",
        "Muchos carros entran y salen de la casa de al lado.",
        area="north",
        language="es",
    ),
    Scenario(
        "en_vague_nervous",
        "low",
        "The girl at the counter seemed nervous and her story did not add up.",
        indicators=frozenset({"fearful", "scripted_answers", "inconsistent_story"}),
    ),
    Scenario(
        "es_vague_crowded_house",
        "low",
        "Viven muchas personas en una casa pequeña.",
        indicators=frozenset({"many_occupants", "recently_arrived"}),
        language="es",
    ),
    Scenario(
        "en_vague_nothing",
        "low",
        "Something feels off about that place.",
    ),
    Scenario(
        "en_negated_words_still_reviewed",
        "normal",
        "The workers say they are paid, but they are not allowed to leave after dark.",
        recency="week",
        location="Packing plant on 5th",
    ),
)
