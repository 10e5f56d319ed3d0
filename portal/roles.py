"""Roles and what each may do: the one place that answers "may this role do X?".

Views and API endpoints declare a capability (e.g. `triage.claim`); `role_may` decides, and
actions, access rules and tasks ask the same question (`user.may(...)`, `roles_with(...)` for a
query). Nothing outside this file compares roles (a test looks). Object level rules ("is this
handoff your organization's", "is this tip yours to edit") live in each app's `access.py` and
actions, and build on these.
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
        # Name the current queue filter and keep it as a link above one's own queue.
        "triage.saved_filters",
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
        # Record why a lead is still needed: a new retention period.
        "retention.review",
        # Told before a tip they hold is purged.
        "alerts.purge_warning",
        # Told at once of an urgent tip while on call.
        "alerts.urgent_tip",
    }
)
_SUPERVISOR = (_INVESTIGATOR - {"alerts.urgent_tip"}) | {
    # Edit any tip, not only those assigned to them.
    "triage.edit_any_tip",
    "triage.assign",
    "triage.reopen",
    "triage.approve_reveal",
    "triage.statistics",
    # The handoff statistics of every organization (liaisons: their own).
    "statistics.handoffs",
    "audit.view",
    "vault.grant_desk",
    "purge.approve",
    # Legal hold: a held tip is never purged. The policy page lists the periods.
    "retention.hold",
    "retention.policy",
    # Told before an unassigned tip is purged.
    "alerts.purge_unassigned",
    # Told when an urgent tip waits past its service-level time.
    "alerts.escalation",
    # Who is on call for urgent-tip and handoff alerts, and the address alerts go to.
    "accounts.on_call",
}
_LIAISON = frozenset(
    {
        "handoffs.view",
        # Accept, decline, record contact and outcome for their organization's handoffs, and
        # read the notes kept there (care notes are never shown to the task force).
        "handoffs.respond",
        "handoffs.read_care_notes",
        # Their organization's handoff statistics, small numbers protected, to report to
        # their funders; never tip statistics.
        "statistics.handoffs",
        "accounts.own_profile",
        "alerts.handoff_waiting",
    }
)
# Admins run the system without being able to read a single tip or handoff.
_ADMIN = frozenset(
    {
        # Staff accounts, also through the staff admin site (Django's is_staff).
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

# Members of a partner organization; every other role belongs to none (a database constraint
# on `portal.User` holds it).
ORGANIZATION_ROLES: frozenset[str] = frozenset({Role.LIAISON})


def role_may(role: str | None, capability: str) -> bool:
    if capability not in ALL_CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")
    return role is not None and capability in CAPABILITIES.get(role, frozenset())


def roles_with(capability: str) -> list[str]:
    """The roles granted `capability`, for a query (`role__in=`): who may be assigned a tip,
    who is told of an urgent one."""
    return sorted(role for role in CAPABILITIES if role_may(role, capability))


def is_role(value: str | None) -> bool:
    return value in Role.values


def belongs_to_organization(role: str | None) -> bool:
    return role in ORGANIZATION_ROLES
