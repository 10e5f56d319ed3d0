"""`manage.py create_org SLUG --name NAME --services medical,counseling,...`: a partner
organization and its desk (its key wrapped to the recovery key, so the vault must exist).

Audited (actor "system") as DESK_CREATED and ORGANIZATION_CREATED, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug

from partners.actions import create_organization
from partners.models import Organization, Service
from portal import vault
from portal.vault.models import TRIAGE_SLUG


class Command(BaseCommand):
    help = "Create a partner organization with its own desk key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="short name, also the desk's name (e.g. drop-in-center)")
        parser.add_argument("--name", required=True, help="the organization's full name")
        parser.add_argument(
            "--services",
            required=True,
            help=f"comma-separated service codes: {', '.join(Service.values)}",
        )
        parser.add_argument("--hours", default="", help="opening hours, free text")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, name = options["slug"], options["name"].strip()
        services = _parse_services(options["services"])
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(f"{slug!r} is not a slug (letters, digits, - and _).") from None
        if slug == TRIAGE_SLUG:
            raise CommandError("'triage' is the task force's desk; choose another slug.")
        if not name:
            raise CommandError("--name must not be empty.")
        if not vault.is_initialized():
            raise CommandError("The vault is not initialised: run `manage.py vault_init` first.")
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"An organization {slug!r} already exists.")
        organization = Organization(slug=slug, name=name, services=services, hours=options["hours"])
        try:
            create_organization(organization, actor="system")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Created organization {slug} ({name}) offering {', '.join(services)}, with its desk. "
            f"Grant liaisons access: manage.py grant_desk USERNAME {slug} --recovery-key-file FILE"
        )


def _parse_services(raw: str) -> list[str]:
    services = [code.strip() for code in raw.split(",") if code.strip()]
    unknown = sorted(set(services) - set(Service.values))
    if unknown:
        raise CommandError(
            f"Unknown service code(s): {', '.join(unknown)}. Known: {', '.join(Service.values)}."
        )
    if not services:
        raise CommandError("--services needs at least one service code.")
    return list(dict.fromkeys(services))
