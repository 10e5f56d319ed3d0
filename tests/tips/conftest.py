"""Tip fixtures: an initialised vault, its recovery keyring to read what tipsters sent, private
attachment storage per test, and realistic submissions for both doors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portal import vault
from tips import throttle
from tips.models import Tip


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "storage", "file_permissions_mode": 0o600},
        },
    }
    return tmp_path / "storage"


@pytest.fixture
def recovery_key(db):
    return vault.initialize()


@pytest.fixture
def desk_reader(recovery_key) -> vault.RecoveryKeyring:
    """Reads like a triage desk member (through the recovery key, no session needed)."""
    return vault.RecoveryKeyring(recovery_key)


def read_tip(tip: Tip, reader: Any) -> dict[str, Any]:
    key = vault.open_record_key(tip.vault_record, reader)
    content = json.loads(key.decrypt("content", bytes(tip.content)))
    if tip.contact is not None:
        content["contact"] = json.loads(key.decrypt("contact", bytes(tip.contact)))
    return content


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


class Clock:
    """The breaker's monotonic clock, moved by hand (time-machine leaves time.monotonic alone)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh breaker and fallback limiter: this process's outage state must not leak."""
    clock = Clock()
    monkeypatch.setattr(throttle, "_breaker", throttle.CacheBreaker(clock))
    monkeypatch.setattr(throttle, "_local", throttle.LocalLimiter())
    return clock
