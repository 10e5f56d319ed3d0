"""Idempotent demo data for `make run`. Refused unless DEBUG is on.

Initialises the vault (demo recovery key in var/demo-recovery-key, 0600), creates two partner
organizations with their desks and a demo account of every role with desk access, and prints
the logins. `manage.py demo_totp USERNAME` prints a demo account's current code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from handoffs.actions import NewHandoff, do_create_handoff
from partners.models import Organization
from portal import vault
from portal.accounts import actions
from portal.models import User
from portal.roles import Role, role_may
from tips.actions import do_submit_tip
from tips.models import Tip
from tips.submission import Contact, TipSubmission

DEMO_PASSWORD = "tip-portal-demo"  # noqa: S105 - demo logins only exist when DEBUG is on
DEMO_ORGANIZATIONS = [
    ("drop-in-center", "Northside Drop-in Center", "shelter,medical,counseling,basic_needs"),
    ("safe-housing", "Safe Housing Partners", "housing,employment,legal,language_access"),
]
DEMO_STAFF = [
    ("demo-investigator", Role.INVESTIGATOR, None),
    ("demo-supervisor", Role.SUPERVISOR, None),
    ("demo-liaison", Role.LIAISON, "drop-in-center"),
    ("demo-housing", Role.LIAISON, "safe-housing"),
    ("demo-admin", Role.ADMIN, None),
]

# Invented reports, so the triage queue has something in it; every name and number is fictional
# (555-01xx numbers and example.* domains are reserved for fiction).
DEMO_TIPS = [
    TipSubmission(
        what="sex_trafficking",
        description="Two girls who look about 15 are brought to room 214 most nights by an older "
        "man. They never leave the room alone.",
        immediate_danger="yes",
        minor_involved="yes",
        recency="now",
        location="Starlite Motel, State Avenue",
        area="kansas_city_ks",
        vehicles="Black Dodge Charger",
        identifiers={"plates": ["KS 482 XLT"], "phones": ["(913) 555-0111"]},
        indicators=frozenset({"controlled_by_other", "not_free_to_leave"}),
    ),
    TipSubmission(
        what="labor_trafficking",
        description="Workers at the nail salon sleep in the back room and a man collects their "
        "pay at closing time.",
        immediate_danger="no",
        minor_involved="no",
        recency="week",
        location="Sunrise Nails, Metcalf Avenue",
        area="overland_park",
        identifiers={"phones": ["913-555-0142"]},
        indicators=frozenset({"lives_at_work", "no_money_control", "excessive_hours"}),
        contact=Contact(email="neighbour@example.org", may_contact=True),
    ),
    TipSubmission(
        what="online_enticement",
        description="An account keeps messaging my 14-year-old niece offering modelling work and "
        "a bus ticket to Dallas. The handle is @lux_models_kc.",
        immediate_danger="unsure",
        minor_involved="yes",
        recency="week",
        identifiers={"handles": ["@lux_models_kc"], "urls": ["https://lux-models.example.com"]},
    ),
    TipSubmission(
        what="illicit_massage",
        description="Massage parlor open until 2am, blacked-out windows, men come and go every "
        "twenty minutes. Ads at lux-models.example.com too.",
        immediate_danger="no",
        minor_involved="unsure",
        recency="earlier",
        area="olathe",
        indicators=frozenset({"online_ads"}),
    ),
    TipSubmission(
        what="victim_needs_help",
        description="I want to leave but he has my passport. I need somewhere to stay.",
        immediate_danger="unsure",
        minor_involved="no",
        recency="now",
        language="es",
        victim_self_report=True,
        contact=Contact(safe_contact="Text only, weekdays before 10am", may_contact=True),
    ),
    TipSubmission(
        what="suspicious_activity",
        description="A van drops the same group of young women at the truck stop every Friday.",
        immediate_danger="no",
        minor_involved="unsure",
        recency="week",
        area="i_70_i_35_corridor",
        vehicles="White Ford Transit, Missouri plates",
    ),
]


def demo_handoff(tip: Tip) -> None:
    """The victim asking for help, handed off to the drop-in center as an anonymous request."""
    do_create_handoff(
        tip,
        NewHandoff(
            organization=Organization.objects.get(slug="drop-in-center"),
            services=("shelter", "counseling"),
            summary="A Spanish-speaking adult asks for a safe place to stay and counseling. "
            "Anonymous request: reach out through the task force.",
            language="es",
        ),
        acting_user=User.objects.get(username="demo-investigator"),
    )


def recovery_key_path() -> Path:
    return settings.VAR_DIR / "demo-recovery-key"


class Command(BaseCommand):
    help = "Create demo organizations and logins of every role (development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("bootstrap_demo creates known logins and only runs with DEBUG on.")
        key_file = recovery_key_path()
        if not vault.is_initialized():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            call_command("vault_init", recovery_key_out=str(key_file), stdout=self.stdout)
        for slug, name, services in DEMO_ORGANIZATIONS:
            if not Organization.objects.filter(slug=slug).exists():
                call_command("create_org", slug, name=name, services=services, stdout=self.stdout)
        for username, role, org_slug in DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                continue
            organization = Organization.objects.get(slug=org_slug) if org_slug else None
            # No language of their own: the staff pages follow the demo browser's language.
            actions.do_create_staff(
                username, role=role, password=DEMO_PASSWORD, organization=organization,
                acting_user=None,
            )  # fmt: skip
            desk = org_slug or ("triage" if role_may(role, "triage.view_tip") else None)
            if desk:
                call_command(
                    "grant_desk",
                    username,
                    desk,
                    recovery_key_file=str(key_file),
                    stdout=self.stdout,
                )
        if not Tip.objects.exists():
            submitted = [do_submit_tip(tip) for tip in DEMO_TIPS]
            self.stdout.write(
                f"{len(submitted)} demo tips submitted. Follow up on the first one at "
                f"/follow-up/ with receipt {submitted[0].receipt} (receipts are shown only once)."
            )
            demo_handoff(submitted[4].tip)
        self.stdout.write("\nDemo logins (development only), password for all: " + DEMO_PASSWORD)
        for username, role, org_slug in DEMO_STAFF:
            where = f" at {org_slug}" if org_slug else ""
            self.stdout.write(f"  {username:<20} {role}{where}")
        self.stdout.write(
            "Second factor: `.venv/bin/python manage.py demo_totp USERNAME` prints the current "
            "code (demo only)."
        )
        self.stdout.write(f"Demo vault recovery key: {key_file}")
