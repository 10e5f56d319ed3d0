"""Object builders for tests: tip submissions, partner organizations with their desks, handoffs
through the real action, consent, and photos. Fixtures in the conftest files build on these;
tests that need an object a fixture does not give call them directly."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

DESCRIPTION = "Men sleep in the warehouse behind the Sunrise Nail Spa."

# A tipster who left a name and phone number: none of it may reach a partner.
TIPSTER_NAME = "Ana Tipster"
TIPSTER_PHONE = "816 555 0100"

# What an investigator writes to a partner, and a safe way to reach the person.
ORG_SERVICES = ["counseling", "housing", "shelter"]
SUMMARY = "Adult woman needs a safe bed tonight and someone to talk to in Spanish."
SAFE_CONTACT = "Text only, weekday mornings: 913 555 0177"


def submission(**overrides: Any):
    """A `TipSubmission` as the web form or the API hands it to `do_submit_tip`."""
    from tips.submission import TipSubmission

    fields: dict[str, Any] = {
        "what": "labor_trafficking",
        "description": DESCRIPTION,
        "immediate_danger": "no",
        "minor_involved": "no",
        "recency": "week",
        "location": "Warehouse behind 9th and Pine",
        "area": "olathe",
        "identifiers": {"plates": ["KS 7ABC123"]},
    }
    fields.update(overrides)
    return TipSubmission(**fields)


def submit_tip(**overrides: Any):
    """A tip through `do_submit_tip` (the vault must be initialised); returns (tip, receipt)."""
    from tips import actions
    from tips.models import Tip

    submitted = actions.do_submit_tip(submission(**overrides))
    return Tip.objects.get(pk=submitted.tip.pk), submitted.receipt


def tipster_contact():
    from tips.submission import Contact

    return Contact(name=TIPSTER_NAME, phone=TIPSTER_PHONE, may_contact=True)


def partner(liaison, recovery_key):
    """Make the liaison's organization a partner: services, a desk, and the liaison holding it.

    `make_staff` creates the organization bare; returns the liaison, fresh from the database."""
    from partners.models import Organization
    from portal import vault
    from portal.models import User

    Organization.objects.filter(pk=liaison.organization_id).update(services=ORG_SERVICES)
    organization = Organization.objects.get(pk=liaison.organization_id)
    desk = vault.create_organization_desk(organization)
    vault.grant_desk_with_recovery(desk, liaison, recovery_key)
    return User.objects.get(pk=liaison.pk)


def consent(scope: tuple[str, ...] = ("contact",), days: int = 30, **extra: Any):
    """Verbal consent to share `scope`, running `days` from today."""
    from django.utils import timezone

    from handoffs.actions import ConsentGiven

    expires = timezone.localdate() + timedelta(days=days)
    return ConsentGiven(method="verbal", scope=scope, expires_at=expires, **extra)


def hand_off(tip, organization, *, acting_user, with_consent: bool = False, **fields: Any):
    """A handoff of `tip` to `organization` through `do_create_handoff`.

    Anonymous by default; `with_consent=True` shares a safe way to reach the person."""
    from handoffs import actions
    from handoffs.actions import Identity, NewHandoff

    unlocked = fields.pop("unlocked", None)
    if with_consent:
        fields.setdefault("identity", Identity(contact=SAFE_CONTACT))
        fields.setdefault("consent", consent())
    fields.setdefault("services", ("shelter",))
    fields.setdefault("summary", SUMMARY)
    new = NewHandoff(organization=organization, **fields)
    return actions.do_create_handoff(tip, new, acting_user=acting_user, unlocked=unlocked)


def investigator_says(tip, body: str) -> None:
    """A message to the tipster as triage's "message the tipster" writes it: sealed to the
    triage desk and the tipster's key."""
    from portal import vault
    from tips.models import Message

    message = Message(tip=tip, sender=Message.Sender.INVESTIGATOR)
    message.body = vault.encrypt_record(
        message.vault_record,
        {"body": body.encode()},
        desks=[vault.triage_desk()],
        tipster_public_key=bytes(tip.tipster_public_key),
    )["body"]
    message.save()


def image(
    color: str = "red",
    size: tuple[int, int] = (64, 48),
    *,
    format: str = "JPEG",
    name: str = "",
    exif: dict[int, str] | None = None,
) -> io.BytesIO:
    """A small picture, rewound, named `name` when given (as an uploaded file is); `exif` tags
    (e.g. {0x010F: "camera maker"}) are written into it."""
    from PIL import Image

    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        for tag, value in exif.items():
            tags[tag] = value
        options["exif"] = tags.tobytes()
    Image.new("RGB", size, color).save(out, format, **options)
    if name:
        out.name = name
    out.seek(0)
    return out
