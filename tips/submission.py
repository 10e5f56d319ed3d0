"""What a validated tip is, whichever door it came through (the HTML form or the JSON API).

The form (`tips.forms`) and the API serializer (`tips.api`) each turn their input shape into a
`TipSubmission`; `tips.actions.do_submit_tip` takes only this. The size limits live here so both
doors refuse the same things with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tips.attachments import CleanedAttachment

# Characters, per field. A tip is a few paragraphs; 20,000 characters is ten pages.
MAX_DESCRIPTION = 20_000
MAX_TEXT = 2_000
MAX_SHORT = 200
# Identifier lists: items per kind and characters per item.
MAX_IDENTIFIER_ITEMS = 20
MAX_IDENTIFIER_CHARS = 200
IDENTIFIER_KINDS = ("phones", "emails", "handles", "urls", "plates")
CONTACT_FIELDS = ("name", "phone", "email", "best_time")
# A retry key (API Idempotency-Key, form token) opens a receipt again: at least 128 bits, e.g. 22
# base64url characters.
MIN_RETRY_KEY_CHARS = 22
MAX_RETRY_KEY_CHARS = 255


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""
    best_time: str = ""
    # For the "I need help" door: how and when it is safe to reach the person.
    safe_contact: str = ""
    may_contact: bool = False

    def is_empty(self) -> bool:
        return not any((self.name, self.phone, self.email, self.best_time, self.safe_contact))

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "best_time": self.best_time,
            "safe_contact": self.safe_contact,
            "may_contact": self.may_contact,
        }


@dataclass(frozen=True)
class TipSubmission:
    what: str
    description: str
    immediate_danger: str
    minor_involved: str
    recency: str = "unknown"
    when: str = ""
    location: str = ""
    area: str = ""
    people: str = ""
    vehicles: str = ""
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    indicators: frozenset[str] = frozenset()
    contact: Contact = field(default_factory=Contact)
    language: str = "en"
    victim_self_report: bool = False
    attachments: tuple[CleanedAttachment, ...] = ()

    def sealed_content(self) -> dict[str, object]:
        """Everything typed, for `Tip.content` (contact details are sealed apart)."""
        return {
            "description": self.description,
            "when": self.when,
            "location": self.location,
            "people": self.people,
            "vehicles": self.vehicles,
            "identifiers": {kind: self.identifiers.get(kind, []) for kind in IDENTIFIER_KINDS},
            "indicators": sorted(self.indicators),
        }

    def free_texts(self) -> tuple[str, ...]:
        return (self.description, self.when, self.location, self.people, self.vehicles)
