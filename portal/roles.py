"""Roles and what each may do: the one place that answers "may this role do X?".

Views and API endpoints declare a capability (e.g. `triage.claim`); `role_may` decides. Object
level rules ("is this tip on your desk", "is this handoff your organization's") live in each
app's `access.py` and build on these.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", _("Investigator")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Nonprofit liaison")
    ADMIN = "admin", _("Administrator")


# Capabilities, grouped by app. A capability missing from this table is granted to nobody.
_INVESTIGATOR = frozenset(
    {
        "triage.view_queue",
        "triage.view_tip",
        "triage.claim",
        "triage.categorize",
        "triage.prioritize",
        "triage.transition",
        "triage.note",
        "triage.message_tipster",
        "triage.link",
        "triage.reveal_contact",
        "triage.refer",
        "triage.create_handoff",
        "triage.view_handoffs",
        # The handoff pages: the task force sees status, outcome and what it sent.
        "handoffs.view",
        "accounts.own_profile",
    }
)
_SUPERVISOR = _INVESTIGATOR | {
    "triage.assign",
    "triage.reopen",
    "triage.approve_reveal",
    "triage.statistics",
    "audit.view",
    "vault.grant_desk",
    "purge.approve",
}
_LIAISON = frozenset(
    {
        "handoffs.view",
        "handoffs.respond",
        "accounts.own_profile",
    }
)
# Admins run the system without being able to read a single tip or handoff.
_ADMIN = frozenset(
    {
        "accounts.manage",
        "organizations.manage",
        "system.health",
        "accounts.own_profile",
    }
)

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.INVESTIGATOR: frozenset(_INVESTIGATOR),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.LIAISON: _LIAISON,
    Role.ADMIN: _ADMIN,
}
ALL_CAPABILITIES: frozenset[str] = frozenset().union(*CAPABILITIES.values())


def role_may(role: str | None, capability: str) -> bool:
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return role is not None and capability in CAPABILITIES.get(role, frozenset())
