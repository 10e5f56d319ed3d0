"""Realistic tips as the public API takes them: about 1.3-1.9 KB of JSON, every one different.

Text, phones, emails, handles, URLs, plates and contact details, so that a submission does the
work a real one does: extraction, blind indexes, sealing. Imports no Django at module level:
the spawned load clients build their bodies with it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

NAMES = (
    "Maria", "Ana", "Luis", "Tony", "Kim", "Jay", "Rosa", "Dev", "Carmen", "Mike", "Lena",
    "Sam", "Nina", "Oscar", "Tara", "Victor", "Yesenia", "Ray", "Dana", "Eli",
)  # fmt: skip
PLACES = (
    "the motel on State Line Road", "a nail salon off Metcalf Ave", "the truck stop by exit 224",
    "an apartment complex near Independence Center", "the massage parlor behind the strip mall",
    "a house on Oak St with the windows covered", "the restaurant kitchen on 39th Street",
    "a farm east of Lee's Summit", "the bus station downtown", "a hotel near the airport",
)  # fmt: skip
STREETS = ("Main", "Oak", "State Line", "Troost", "Metcalf", "Quivira")
TRUCKS = ("Ford", "Chevy", "Dodge", "Toyota", "Nissan")
SENTENCES = (
    "I noticed {n} young women being dropped off at {place} late at night by the same man.",
    "They never seem to leave alone and a man collects money from them at the end of each shift.",
    "One of them told me she owes the boss for the trip here and cannot leave until it is paid.",
    "The ads are posted on {url} and use the handle {handle} with different photos each week.",
    "A car with license plate {plate} parks outside every evening around {hour} pm.",
    "You can reach the manager at {phone}, he answers in Spanish and English.",
    "Someone gave me the email {email} and said that is how new girls get hired.",
    "The workers look exhausted and scared, and they sleep on mattresses in the back room.",
    "I have seen this going on for about {weeks} weeks and it is getting worse.",
    "Nobody there has their own phone; the man keeps their IDs in his truck.",
    "Last week a girl who looked about sixteen asked me for help but then ran back inside.",
    "The door is always locked from the outside and there are cameras on every corner.",
)  # fmt: skip


@dataclass(frozen=True)
class Choices:
    """Codes the API accepts, read from the app in the parent process, passed to the clients."""

    what: tuple[str, ...]
    areas: tuple[str, ...]
    indicators: tuple[str, ...]


def app_choices() -> Choices:
    from tips.areas import all_areas
    from tips.indicators import INDICATOR_CODES
    from tips.models import What

    return Choices(
        what=tuple(code for code in What.values if code != What.NOT_TRAFFICKING),
        areas=tuple(area.code for area in all_areas()),
        indicators=tuple(sorted(INDICATOR_CODES)),
    )


def tip_body(rng: random.Random, serial: int, choices: Choices) -> bytes:
    """Tip number `serial` as the public API takes it.

    About 10% say "immediate danger: yes", so they are urgent and queue a notification.
    """
    name = rng.choice(NAMES)
    phone = f"({rng.randint(201, 989)}) 555-{rng.randint(100, 9999):04d}"
    phone2 = f"+1 816 {rng.randint(200, 989)} {rng.randint(0, 9999):04d}"
    email = f"{name.lower()}.{serial}@{rng.choice(('gmail.com', 'example.net', 'proton.me'))}"
    handle = f"@{name.lower()}_{serial % 99991}"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    plate = f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1000, 9999)}"
    url = f"https://listings.example.com/ad/{serial}-{rng.randint(1000, 99999)}"
    fill = {
        "n": rng.randint(2, 7),
        "place": rng.choice(PLACES),
        "url": url,
        "handle": handle,
        "plate": plate,
        "hour": rng.randint(7, 11),
        "phone": phone2,
        "email": email,
        "weeks": rng.randint(2, 30),
    }
    sentences = list(SENTENCES)
    rng.shuffle(sentences)
    description = " ".join(s.format(**fill) for s in sentences[: rng.randint(8, 12)])
    tip = {
        "what": rng.choice(choices.what),
        "description": f"{description} (ref {serial})",
        "immediate_danger": rng.choices(("yes", "no", "unsure"), weights=(1, 7, 2))[0],
        "minor_involved": rng.choice(("yes", "no", "unsure")),
        "recency": rng.choice(("now", "week", "earlier", "unknown")),
        "when": f"most nights after {fill['hour']} pm, last seen {rng.randint(1, 28)} days ago",
        "location": f"{rng.randint(100, 9999)} {rng.choice(STREETS)} St, {rng.choice(PLACES)}",
        "area": rng.choice(choices.areas),
        "people": f"{name}, about {rng.randint(25, 55)}, heavy set, tattoo on the left arm; "
        f"{rng.randint(2, 6)} women aged 16-25",
        "vehicles": f"white {rng.choice(TRUCKS)} pickup, plate {plate}",
        "identifiers": {
            "phones": [phone, phone2],
            "emails": [email],
            "handles": [handle],
            "urls": [url],
            "plates": [plate],
        },
        "indicators": rng.sample(choices.indicators, rng.randint(1, 5)),
        "contact": {
            "name": rng.choice(("", "A neighbor", f"{rng.choice(NAMES)} R.")),
            "phone": f"816-555-{rng.randint(0, 9999):04d}",
            "email": f"tipster{serial}@example.org",
            "best_time": "weekday evenings",
            "may_contact": rng.random() < 0.5,
        },
        "language": "en",
    }
    return json.dumps(tip).encode()
