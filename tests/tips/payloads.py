"""Request bodies a tipster's browser or app sends: `api_tip` for `POST /api/v1/tips/` (JSON),
`form_tip` for the web form at `/tip/`. Keyword arguments replace fields."""

from __future__ import annotations

from typing import Any


def api_tip(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "what": "labor_trafficking",
        "description": "Workers sleep in the back room of the Sunrise Nail Spa on Main Street.",
        "immediate_danger": "no",
        "minor_involved": "unsure",
        "when": "Every night last week",
        "location": "1200 Main Street, rear door",
        "area": "olathe",
        "people": "A man called Tío drives them in a white van",
        "vehicles": "White Ford Transit",
        "identifiers": {
            "phones": ["(913) 555-0142"],
            "emails": ["boss.sunrise@example.com"],
            "handles": ["@sunrise_jobs"],
            "urls": ["https://jobs.example.com/ad/77"],
            "plates": ["KS 123 ABC"],
        },
        "indicators": ["lives_at_work", "no_documents"],
        "contact": {
            "name": "Maria Quiet",
            "phone": "816-555-0199",
            "email": "maria.quiet@example.org",
            "best_time": "weekday mornings",
            "may_contact": True,
        },
        "language": "en",
    }
    data.update(overrides)
    return data


def form_tip(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "what": "sex_trafficking",
        "immediate_danger": "no",
        "minor_involved": "yes",
        "description": "Girls who look fifteen are brought to room 214 of the Starlite Motel.",
        "recency": "week",
        "when": "Friday around 11pm",
        "location": "Starlite Motel, Route 7",
        "area": "kansas_city_ks",
        "people": "Older man with a scorpion tattoo on his neck",
        "vehicles": "Black Charger",
        "phones": "913.555.0111\n(816) 555 0122",
        "emails": "starlite.bookings@example.com",
        "handles": "@starlite_vip",
        "urls": "starlite-vip.example.com/rooms",
        "plates": "MO ZX9 42K",
        "indicators": ["controlled_by_other", "online_ads"],
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "contact_best_time": "",
        "may_contact": "no",
        "homepage": "",
        "submission_token": "",
    }
    data.update(overrides)
    return data
