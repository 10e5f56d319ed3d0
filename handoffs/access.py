"""Who may see which handoff.

A liaison sees only their own organization's handoffs (anything else is 404, never 403, so
another organization's handoffs do not even appear to exist); task-force members see every
handoff's status and outcome, and what they sent; admins see none.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from handoffs.models import Handoff
from portal.accounts.access import StaffAPIRequest, StaffRequest
from portal.models import User


def handoffs_for(user: User) -> QuerySet[Handoff]:
    if not (user.is_authenticated and user.is_active):
        return Handoff.objects.none()
    if user.may("handoffs.respond"):  # a liaison: their organization's handoffs only
        if user.organization_id is None:
            return Handoff.objects.none()
        return Handoff.objects.filter(organization_id=user.organization_id)
    if user.may("triage.view_handoffs"):
        return Handoff.objects.all()
    return Handoff.objects.none()


def get_handoff_for_staff(request: StaffRequest | StaffAPIRequest, code: UUID | str) -> Handoff:
    try:
        return (
            handoffs_for(request.user)
            .select_related("organization", "created_by", "tip")
            .get(code=code)
        )
    except (Handoff.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such handoff.") from None
