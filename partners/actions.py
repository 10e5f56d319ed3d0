"""Adding and changing partner organizations: each change audited in its transaction."""

from __future__ import annotations

from django.db import transaction

from audit import Action, record
from audit.record import Actor
from partners.models import Organization
from portal import vault


@transaction.atomic
def create_organization(organization: Organization, *, actor: Actor) -> Organization:
    """Save a new partner organization (built by a form or a command) with its desk, whose key
    is wrapped to the recovery key: the vault must exist. Audit: DESK_CREATED and
    ORGANIZATION_CREATED."""
    organization.save(force_insert=True)
    desk = vault.create_organization_desk(organization, actor=actor)
    record(
        Action.ORGANIZATION_CREATED,
        actor=actor,
        target=organization,
        slug=organization.slug,
        services=organization.services,
        desk=desk.pk,
    )
    return organization


def record_organization_changed(
    organization: Organization, *, fields: list[str], actor: Actor
) -> None:
    """Audit an edit made through the staff admin (the row is saved by the admin form)."""
    record(Action.ORGANIZATION_UPDATED, actor=actor, target=organization, fields=sorted(fields))
