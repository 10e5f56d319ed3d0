"""Words for what the queue shows, and the prepared summary for a report about a minor.

Mandated reporting: law enforcement officers are mandated reporters of suspected child abuse
and neglect in Kansas (K.S.A. 38-2223) and Missouri (RSMo 210.115); child sex trafficking is
also reported to NCMEC's CyberTipline. The summary gathers what such a report asks for from the
decrypted tip, for the investigator to copy into the agency's own form: it is never sent from
here.
"""

from __future__ import annotations

from typing import Any

from tips.models import Tip
from triage.reading import TipView

REASON_LABELS: dict[str, str] = {
    "immediate_danger": "Someone in immediate danger",
    "immediate_danger_unsure": "Maybe in immediate danger",
    "minor_involved": "A minor is involved",
    "minor_involved_unsure": "Maybe a minor",
    "victim_asking_for_help": "Victim asking for help",
    "recent_now": "Happening now",
    "recent_week": "In the last week",
    "specific_location": "Specific location",
    "area_given": "Area given",
    "identifiers": "Phones, accounts or plates",
    "attachments": "Photos or documents",
    "indicators": "Trafficking indicators",
}

MANDATED_REPORTING = [
    (
        "Kansas",
        "K.S.A. 38-2223: law enforcement officers who suspect a child has been harmed as a "
        "result of physical, mental or emotional abuse or neglect or sexual abuse must report "
        "promptly to the Kansas Department for Children and Families (1-800-922-5330).",
    ),
    (
        "Missouri",
        "RSMo 210.115: peace officers and law enforcement officials with reasonable cause to "
        "suspect a child has been or may be subjected to abuse or neglect must report "
        "immediately to the Children's Division hotline (1-800-392-3738).",
    ),
    (
        "Federal",
        "Child sex trafficking and online enticement are reported to NCMEC's CyberTipline "
        "(report.cybertip.org, 1-800-843-5678).",
    ),
]


def minor_summary(tip: Tip, view: TipView) -> dict[str, Any]:
    """CyberTipline-style fields from the decrypted tip (contact details excluded)."""
    content = view.content
    identifiers = content.get("identifiers", {})
    return {
        "incident_type": tip.get_category_display(),
        "received_at": tip.created_at,
        "when": content.get("when", ""),
        "location": content.get("location", ""),
        "area": tip.area,
        "description": content.get("description", ""),
        "people": content.get("people", ""),
        "vehicles": content.get("vehicles", ""),
        "phones": identifiers.get("phones", []),
        "emails": identifiers.get("emails", []),
        "handles": identifiers.get("handles", []),
        "urls": identifiers.get("urls", []),
        "plates": identifiers.get("plates", []),
        "attachments": [item.name for item in view.attachments if item.variant == "cleaned"],
        "reference": str(tip.code),
        "duties": MANDATED_REPORTING,
    }
