"""Real tips, as a tipster would write them, for `do_submit_tip`: identifiers drawn from small
pools, so that tips share them and related tips are found and confirmed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

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
