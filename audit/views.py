"""The supervisors' audit pages. Every view of the log is itself recorded."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.access import audit_viewer_required
from audit.chain import verify_log
from audit.events import Action
from audit.listing import NEWEST_FIRST, EventFilterForm, present
from audit.models import AuditEvent
from audit.record import record
from portal.accounts.access import StaffRequest

PAGE_SIZE = 50


@require_safe
@audit_viewer_required
def events(request: StaffRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    queryset: QuerySet[AuditEvent] = AuditEvent.objects.order_by(*NEWEST_FIRST)
    if form.is_bound:
        queryset = form.filter(queryset) if form.is_valid() else queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = present(page.object_list)
    record(
        Action.AUDIT_VIEWED,
        actor=request.user,
        via="web",
        page=page.number,
        filters=form.summary(),
    )
    return render(request, "audit/events.html", {"form": form, "page": page, "rows": rows})


@require_safe
@audit_viewer_required
def verify(request: StaffRequest) -> HttpResponse:
    report = verify_log()
    record(
        Action.AUDIT_VERIFIED,
        actor=request.user,
        via="web",
        ok=report.ok,
        checked=report.checked,
        first_bad=report.first_bad,
    )
    return render(request, "audit/verify.html", {"report": report})
