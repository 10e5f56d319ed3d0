"""Who sees which statistics: supervisors everything; liaisons their organization's handoff
part, small numbers protected; everyone else nothing (403: the pages' existence is no secret).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from portal.models import User

TIPS = "triage.statistics"
HANDOFFS = "statistics.handoffs"


@dataclass(frozen=True)
class Scope:
    # None: every organization.
    organization_id: int | None
    tips: bool
    # Counts below this are protected ("<N"); None: shown as they are.
    min_cell: int | None

    def for_export(self) -> Scope:
        """Exports always protect small numbers, whoever asks."""
        return Scope(self.organization_id, self.tips, settings.STATISTICS_MIN_CELL)


def scope_for(user: User) -> Scope:
    if user.may(TIPS):
        return Scope(organization_id=None, tips=True, min_cell=None)
    if user.may(HANDOFFS) and user.organization_id is not None:
        return Scope(user.organization_id, tips=False, min_cell=settings.STATISTICS_MIN_CELL)
    raise PermissionDenied
