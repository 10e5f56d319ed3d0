"""Who may see which tip: the lookups shared by the triage pages, the API and the tasks.

Every task-force member (investigator, supervisor) sees the whole queue: the task force works
cases together, and the desk key every member holds opens every tip anyway. What is narrower is
*writing* (`actions.may_write`: the assignee or a supervisor) and *opening contact details*
(an approved reveal). Liaisons and admins never reach a tip: their roles lack
`triage.view_tip`, and these lookups answer 404 for them as a second lock.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest

from portal.accounts.access import StaffAPIRequest, StaffRequest
from portal.errors import Purged
from portal.models import User
from portal.roles import roles_with
from retention.models import TipTombstone
from tips.models import Attachment, Tip
from triage.models import ContactReveal, SavedQueueFilter


def is_task_force(user: User) -> bool:
    return bool(user.is_authenticated and user.may("triage.view_tip"))


def assignable_staff() -> QuerySet[User]:
    """Who may hold a tip (be assigned one): active members whose role may claim."""
    return User.objects.filter(role__in=roles_with("triage.claim"), is_active=True).order_by(
        "username"
    )


def assignee_named(username: str) -> User | None:
    """The member of that name whose role may hold a tip, active or not: `do_assign` refuses an
    inactive one with its own message."""
    return User.objects.filter(role__in=roles_with("triage.claim"), username=username).first()


def tips_for(user: User) -> QuerySet[Tip]:
    if not is_task_force(user):
        return Tip.objects.none()
    return Tip.objects.filter(purged_at__isnull=True)


def get_tip_for_staff(request: StaffRequest | StaffAPIRequest, code: UUID | str) -> Tip:
    """The tip, or 404; a tip purged under the retention policy raises `Purged` (410 with its
    tombstone) for the task force, and stays a plain 404 for everyone else."""
    try:
        return tips_for(request.user).select_related("assignee").get(code=code)
    except (Tip.DoesNotExist, ValueError, ValidationError):  # a typed code may be no UUID
        pass
    tombstone = purged_tip(request.user, code)
    if tombstone is not None:
        raise Purged({"tombstone": tombstone_summary(tombstone)})
    raise Http404("No such tip.")


def get_tip_by_reference(request: StaffRequest | StaffAPIRequest, reference: str) -> Tip:
    """A tip named by its number (`T-2026-00421`, `2026-421`) or its code, as people paste
    them into "duplicate of" and links; 404 (or 410 when purged) as `get_tip_for_staff`."""
    from tips.numbering import parse_number  # noqa: PLC0415 - numbering imports tips models

    number = parse_number(reference)
    if number is not None:
        code = tips_for(request.user).filter(number=number).values_list("code", flat=True).first()
        if code is None:
            raise Http404("No such tip.")
        return get_tip_for_staff(request, code)
    return get_tip_for_staff(request, reference.strip())


def purged_tip(user: User, code: UUID | str) -> TipTombstone | None:
    if not is_task_force(user):
        return None
    try:
        return TipTombstone.objects.filter(code=code).first()
    except (ValueError, ValidationError):
        return None


def tombstone_summary(tombstone: TipTombstone) -> dict[str, object]:
    return {
        "id": str(tombstone.code),
        "created_at": tombstone.created_at,
        "closed_at": tombstone.closed_at,
        "purged_at": tombstone.purged_at,
        "category": tombstone.category,
        "priority_level": tombstone.priority_level,
        "area": tombstone.area,
        "close_reason": tombstone.close_reason or None,
        "handoff_outcomes": [code for code in tombstone.handoff_outcomes if code],
    }


def get_attachment_for_staff(request: HttpRequest, tip: Tip, code: UUID | str) -> Attachment:
    try:
        return tip.attachments.get(code=code)
    except (Attachment.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such attachment.") from None


def get_preview_for_staff(request: HttpRequest, tip: Tip, code: UUID | str) -> Attachment:
    """The attachment when it is shown inline (a cleaned photo, `Attachment.previewable`); an
    original with its metadata, a PDF or another tip's file: 404, download only."""
    attachment = get_attachment_for_staff(request, tip, code)
    if not attachment.previewable:
        raise Http404("No preview of this attachment.")
    return attachment


def approved_reveal(tip: Tip, user: User) -> ContactReveal | None:
    """The user's approved request to open this tip's contact details, if there is one."""
    return (
        ContactReveal.objects.filter(
            tip=tip, requested_by=user, status=ContactReveal.Status.APPROVED
        )
        .order_by("-decided_at")
        .first()
    )


def saved_filters_for(user: User) -> QuerySet[SavedQueueFilter]:
    """The member's own saved queue views, by name: nobody sees another's."""
    if not user.may("triage.saved_filters"):
        return SavedQueueFilter.objects.none()
    return SavedQueueFilter.objects.filter(user=user).order_by(Lower("name"), "pk")


def get_saved_filter_for_staff(request: StaffRequest, code: UUID) -> SavedQueueFilter:
    """One of the member's own saved views, or 404: another's does not exist for them."""
    try:
        return saved_filters_for(request.user).get(code=code)
    except SavedQueueFilter.DoesNotExist:
        raise Http404("No such saved view.") from None
