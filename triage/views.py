"""The triage pages: the queue, a tip with every next action one click away, and reveals.

Each POST calls one action and comes back to the tip page with a message; outcomes such as
"someone else already has this tip" are shown, not raised. Reading goes through `reading`
(audited), lookups through `access`, exactly as the API does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from portal import vault
from portal.accounts.access import StaffRequest, keys_or_locked, staff_required, unlocked_keys
from portal.downloads import download_response, preview_response
from portal.outcomes import ActionError
from portal.pages import LOCKED_MESSAGE, run_action
from retention import actions as retention
from retention import policy
from tips.areas import all_areas
from tips.models import CloseReason, PriorityLevel, Status, Tip, What
from triage import access, actions, queue, reading, search, workflow
from triage.home import with_new_replies
from triage.models import ContactReveal, MinorReport, Referral
from triage.summary import REASON_LABELS, minor_summary

Handler = Callable[[Tip, vault.UnlockedKeys], object]


def _act(request: StaffRequest, code: UUID, handler: Handler, done: str) -> HttpResponse:
    """Run one action on a tip; show its outcome; back to the tip page."""
    tip = access.get_tip_for_staff(request, code)
    run_action(request, lambda: handler(tip, keys_or_locked(request)), done)
    return redirect("triage:tip", tip.code)


def _field(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "")[:20_000]


@staff_required("triage.view_queue")
@require_safe
def queue_page(request: StaffRequest) -> HttpResponse:
    filters, errors = queue.Filters.from_query(request.GET)
    tips = filters.apply(access.tips_for(request.user), request.user)
    tips = with_new_replies(tips, request.user)  # the "new reply" marker, in the same query
    searched_by = ""
    if filters.q:
        try:
            unlocked = keys_or_locked(request) if search.needs_keys(filters.q) else None
            found = search.search(tips, filters.q, actor=request.user, unlocked=unlocked)
            tips, searched_by = found.tips, found.by
        except (vault.Locked, vault.NoDeskAccess):
            return render(request, "triage/locked.html", {"tip": None}, status=403)
    try:
        result = queue.page(tips, cursor=request.GET.get("cursor", ""))
    except queue.BadCursorError:
        result = queue.page(tips)
    params = request.GET.copy()
    params.pop("cursor", None)
    saved_filters = list(access.saved_filters_for(request.user))  # one query, however many
    return render(
        request,
        "triage/queue.html",
        {
            "page": result,
            "filters": filters,
            "searched_by": searched_by,
            "errors": errors,
            "now": timezone.now(),
            "filter_query": params.urlencode(),
            "saved_filters": saved_filters,
            "current_query": filters.saved_query() if saved_filters else None,
            "search_not_saved": bool(filters.q) and not filters.saved_search,
            "statuses": Status.choices,
            "categories": What.choices,
            "levels": PriorityLevel.choices,
            "reason_labels": REASON_LABELS,
            "investigators": access.assignable_staff(),
            "areas": [(area.code, area.label()) for area in all_areas()],
            "bulk_close_reasons": [
                (value, label)
                for value, label in CloseReason.choices
                if value in actions.BULK_CLOSE_REASONS
            ],
        },
    )


BULK_DONE = {
    actions.BulkAction.CLOSE: "Closed",
    actions.BulkAction.ASSIGN: "Assigned",
    actions.BulkAction.CATEGORIZE: "Recategorized",
}


@staff_required("triage.view_queue")
@require_POST
def bulk(request: StaffRequest) -> HttpResponse:
    """The queue's bulk form: the API's bulk action (`actions.do_bulk`), back to the same queue."""
    back = QueryDict(request.POST.get("back", "")[:2000]).urlencode()
    to_queue = redirect(f"{reverse('triage:queue')}?{back}" if back else reverse("triage:queue"))
    action = _field(request, "action")
    codes = []
    for value in request.POST.getlist("ids")[: actions.MAX_BULK]:
        try:
            codes.append(UUID(value))
        except ValueError:
            continue
    if action not in actions.BulkAction.CHOICES or not codes:
        messages.error(request, "Select tips and an action.")
        return to_queue
    if not request.user.may(actions.BulkAction.CAPABILITY[action]):
        raise PermissionDenied
    assignee = None
    if action == actions.BulkAction.ASSIGN:
        assignee = access.assignee_named(_field(request, "assignee"))
        if assignee is None:
            messages.error(request, "Choose who the tips go to.")
            return to_queue
    found = {
        tip.code: tip
        for tip in access.tips_for(request.user).select_related("assignee").filter(code__in=codes)
    }
    try:
        outcome = actions.do_bulk(
            [found[code] for code in dict.fromkeys(codes) if code in found],
            action,
            acting_user=request.user,
            unlocked=keys_or_locked(request),
            reason=_field(request, "reason"),
            close_reason=_field(request, "close_reason"),
            assignee=assignee,
            category=_field(request, "category"),
        )
    except ActionError as refused:
        messages.error(request, refused.message)
        return to_queue
    except (vault.Locked, vault.NoDeskAccess):
        messages.error(request, LOCKED_MESSAGE)
        return to_queue
    done = sum(1 for result in outcome if result.ok)
    messages.success(request, f"{BULK_DONE[action]} {done} of {len(set(codes))} tips.")
    for result in outcome:
        if not result.ok:
            messages.error(request, f"{result.tip.number}: {result.error}")
    return to_queue


@staff_required("triage.view_tip")
@require_safe
def tip_page(request: StaffRequest, code: UUID) -> HttpResponse:
    tip = access.get_tip_for_staff(request, code)
    try:
        unlocked = keys_or_locked(request)
        view = reading.open_tip(tip, unlocked, actor=request.user)
        related = reading.related_tips(tip, unlocked, actor=request.user)
    except (vault.Locked, vault.NoDeskAccess):
        return render(request, "triage/locked.html", {"tip": tip}, status=403)
    actions.do_mark_read(tip, acting_user=request.user)
    reveal = access.approved_reveal(tip, request.user)
    return render(
        request,
        "triage/tip.html",
        {
            "tip": tip,
            "view": view,
            "related": related,
            "may_write": actions.may_write(tip, request.user),
            "moves": [
                (move, Status(move).label) for move in sorted(workflow.allowed_moves(tip.status))
            ],
            "close_reasons": CloseReason.choices,
            "categories": What.choices,
            "levels": PriorityLevel.choices,
            "reason_labels": REASON_LABELS,
            "approved_reveal": reveal,
            "pending_reveal": tip.reveals.filter(
                requested_by=request.user, status=ContactReveal.Status.PENDING
            ).exists(),
            "minor_reports": tip.minor_reports.select_related("made_by"),
            "agencies": MinorReport.Agency.choices,
            "referrals": tip.referrals.select_related("created_by"),
            "destinations": Referral.Destination.choices,
            "investigators": access.assignable_staff(),
            "audit_trail": reading.audit_trail(tip),
            "handoffs": tip.handoffs.select_related("organization").order_by("created_at"),
            "hold_reason": retention.read_hold_reason(tip, unlocked)
            if request.user.may("retention.hold")
            else None,
        },
    )


@staff_required("retention.review")
@require_POST
def review(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: retention.do_review(
            tip, _field(request, "reason"), acting_user=request.user, unlocked=keys
        ),
        "Review recorded: a new retention period starts today.",
    )


@staff_required("retention.hold")
@require_POST
def hold(request: StaffRequest, code: UUID) -> HttpResponse:
    if request.POST.get("release"):
        return _act(
            request,
            code,
            lambda tip, keys: retention.do_release_hold(
                tip, _field(request, "reason"), acting_user=request.user, unlocked=keys
            ),
            "Legal hold released.",
        )
    return _act(
        request,
        code,
        lambda tip, keys: retention.do_place_hold(
            tip, _field(request, "reason"), acting_user=request.user, unlocked=keys
        ),
        "Legal hold placed: this tip is not purged while it lasts.",
    )


@staff_required("retention.policy")
@require_safe
def retention_policy(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "triage/retention_policy.html",
        {
            "periods": policy.periods(),
            "review_days": policy.review_days(),
            "max_unreviewed_days": settings.RETENTION_MAX_UNREVIEWED_DAYS,
            "grace_days": settings.RETENTION_GRACE_DAYS,
            "warning_days": settings.RETENTION_WARNING_DAYS,
        },
    )


@staff_required("triage.claim")
@require_POST
def claim(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, _keys: actions.do_claim(tip, acting_user=request.user),
        "You have this tip now.",
    )


@staff_required("triage.claim")
@require_POST
def release(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, _keys: actions.do_release(tip, acting_user=request.user),
        "The tip is back in the queue.",
    )


@staff_required("triage.assign")
@require_POST
def assign(request: StaffRequest, code: UUID) -> HttpResponse:
    assignee = access.assignee_named(_field(request, "assignee"))
    if assignee is None:
        messages.error(request, "Choose an investigator to assign the tip to.")
        return redirect("triage:tip", code)
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_assign(
            tip,
            assignee=assignee,
            acting_user=request.user,
            reason=_field(request, "reason"),
            unlocked=keys,
        ),
        f"Assigned to {assignee.username}.",
    )


@staff_required("triage.transition")
@require_POST
def transition(request: StaffRequest, code: UUID) -> HttpResponse:
    to_status = _field(request, "to")
    duplicate_code = _field(request, "duplicate_of").strip()
    duplicate_of = None
    if duplicate_code:
        try:
            duplicate_of = access.get_tip_by_reference(request, duplicate_code)
        except Http404:
            messages.error(request, "No tip has that number or id.")
            return redirect("triage:tip", code)

    def move(tip: Tip, keys: vault.UnlockedKeys) -> object:
        return actions.do_transition(
            tip,
            to_status,
            acting_user=request.user,
            reason=_field(request, "reason"),
            unlocked=keys,
            close_reason=_field(request, "close_reason"),
            duplicate_of=duplicate_of,
        )

    return _act(request, code, move, "Status changed.")


@staff_required("triage.categorize")
@require_POST
def categorize(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_categorize(
            tip,
            _field(request, "category"),
            acting_user=request.user,
            reason=_field(request, "reason"),
            unlocked=keys,
        ),
        "Category changed.",
    )


@staff_required("triage.prioritize")
@require_POST
def prioritize(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_reprioritize(
            tip,
            _field(request, "priority_level"),
            acting_user=request.user,
            reason=_field(request, "reason"),
            unlocked=keys,
        ),
        "Priority changed; the computed score stays on record.",
    )


@staff_required("triage.note")
@require_POST
def add_note(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_add_note(
            tip, _field(request, "body"), acting_user=request.user, unlocked=keys
        ),
        "Note added.",
    )


@staff_required("triage.message_tipster")
@require_POST
def message_tipster(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, _keys: actions.do_message_tipster(
            tip, _field(request, "body"), acting_user=request.user
        ),
        "Message sent. The tipster sees it when they check with their receipt.",
    )


@staff_required("triage.link")
@require_POST
def link(request: StaffRequest, code: UUID) -> HttpResponse:
    try:
        other = access.get_tip_for_staff(request, _field(request, "other").strip())
    except Http404:
        messages.error(request, "No tip has that number or id.")
        return redirect("triage:tip", code)
    return _act(
        request,
        code,
        lambda tip, _keys: actions.do_link(tip, other, acting_user=request.user),
        "Tips linked.",
    )


@staff_required("triage.link")
@require_POST
def unlink(request: StaffRequest, code: UUID, other: UUID) -> HttpResponse:
    other_tip = access.get_tip_for_staff(request, other)
    return _act(
        request,
        code,
        lambda tip, _keys: actions.do_unlink(tip, other_tip, acting_user=request.user),
        "Link removed.",
    )


@staff_required("triage.reveal_contact")
@require_POST
def request_reveal(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_request_reveal(
            tip, _field(request, "reason"), acting_user=request.user, unlocked=keys
        ),
        "Reveal requested.",
    )


@staff_required("triage.reveal_contact")
@require_safe
def contact(request: StaffRequest, code: UUID) -> HttpResponse:
    tip = access.get_tip_for_staff(request, code)
    reveal = access.approved_reveal(tip, request.user)
    if reveal is None:
        messages.error(request, "Request a reveal with a reason first.")
        return redirect("triage:tip", tip.code)
    details = reading.reveal_contact(reveal, keys_or_locked(request), actor=request.user)
    return render(request, "triage/contact.html", {"tip": tip, "contact": details})


@staff_required("triage.transition")
@require_POST
def record_minor_report(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_record_minor_report(
            tip,
            _field(request, "agency"),
            _field(request, "reference"),
            acting_user=request.user,
            unlocked=keys,
        ),
        "Mandated report recorded.",
    )


@staff_required("triage.refer")
@require_POST
def refer(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda tip, keys: actions.do_refer(
            tip,
            _field(request, "destination"),
            _field(request, "reason"),
            acting_user=request.user,
            unlocked=keys,
        ),
        "Referral recorded. Print the packet from the referrals list.",
    )


def _printable(request: StaffRequest, tip: Tip, template: str, **context: Any) -> HttpResponse:
    view = reading.open_tip(tip, keys_or_locked(request), actor=request.user)
    return render(request, template, {"tip": tip, "view": view, **context})


@staff_required("triage.refer")
@require_safe
def referral_packet(request: StaffRequest, code: UUID, referral: UUID) -> HttpResponse:
    tip = access.get_tip_for_staff(request, code)
    row = get_object_or_404(tip.referrals.select_related("created_by"), code=referral)
    key = vault.open_record_key(tip.vault_record, keys_or_locked(request))
    reason = key.decrypt(row.reason_field, bytes(row.reason)).decode()
    return _printable(request, tip, "triage/referral_packet.html", referral=row, reason=reason)


@staff_required("triage.view_tip")
@require_safe
def minor_summary_page(request: StaffRequest, code: UUID) -> HttpResponse:
    tip = access.get_tip_for_staff(request, code)
    view = reading.open_tip(tip, keys_or_locked(request), actor=request.user)
    return render(
        request, "triage/minor_summary.html", {"tip": tip, "summary": minor_summary(tip, view)}
    )


@staff_required("triage.view_tip")
@require_safe
def attachment(request: StaffRequest, code: UUID, attachment: UUID) -> StreamingHttpResponse:
    tip = access.get_tip_for_staff(request, code)
    row = access.get_attachment_for_staff(request, tip, attachment)
    name, chunks = reading.attachment_chunks(tip, row, keys_or_locked(request), actor=request.user)
    return download_response(name, row.content_type, chunks)


@staff_required("triage.view_tip")
@require_safe
def attachment_preview(
    request: StaffRequest, code: UUID, attachment: UUID
) -> StreamingHttpResponse:
    """A cleaned photo inline: the download's lookups, keys and audit, shown instead of saved."""
    tip = access.get_tip_for_staff(request, code)
    row = access.get_preview_for_staff(request, tip, attachment)
    _name, chunks = reading.attachment_chunks(
        tip, row, keys_or_locked(request), actor=request.user, preview=True
    )
    return preview_response(row.content_type, chunks)


@staff_required("triage.approve_reveal")
@require_safe
def reveals(request: StaffRequest) -> HttpResponse:
    rows = (
        ContactReveal.objects.filter(tip__in=access.tips_for(request.user))
        .select_related("tip", "requested_by", "decided_by")
        .order_by("status", "-created_at")[:200]
    )
    unlocked = unlocked_keys(request)
    keys = (
        vault.open_record_keys([row.tip.vault_record for row in rows], unlocked) if unlocked else {}
    )

    def opened(row: ContactReveal, field: str, sealed: bytes | memoryview | None) -> str:
        key = keys.get(row.tip.vault_record)
        if key is None or sealed is None:
            return ""
        return key.decrypt(field, bytes(sealed)).decode()

    items = [
        (
            row,
            opened(row, row.reason_field, row.reason),
            opened(row, row.denial_reason_field, row.denial_reason),
        )
        for row in rows
    ]
    return render(request, "triage/reveals.html", {"items": items})


def _decide(request: StaffRequest, code: UUID, *, approve: bool) -> HttpResponse:
    row = get_object_or_404(
        ContactReveal.objects.filter(tip__in=access.tips_for(request.user)), code=code
    )
    run_action(
        request,
        lambda: actions.do_decide_reveal(
            row,
            approve=approve,
            acting_user=request.user,
            reason=_field(request, "reason"),
            unlocked=None if approve else keys_or_locked(request),
        ),
        "Approved." if approve else "Denied.",
    )
    return redirect(reverse("triage:reveals"))


@staff_required("triage.approve_reveal")
@require_POST
def approve_reveal(request: StaffRequest, code: UUID) -> HttpResponse:
    return _decide(request, code, approve=True)


@staff_required("triage.approve_reveal")
@require_POST
def deny_reveal(request: StaffRequest, code: UUID) -> HttpResponse:
    return _decide(request, code, approve=False)
