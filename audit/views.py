"""The supervisors' audit pages. Every view of the log is itself recorded."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit import wording
from audit.access import audit_viewer_required
from audit.chain import verify_log
from audit.events import Action
from audit.listing import NEWEST_FIRST, EventFilterForm, EventRow, present
from audit.models import AuditEvent
from audit.record import record
from portal.accounts.access import StaffRequest
from portal.models import User

PAGE_SIZE = 50


@require_safe
@audit_viewer_required
def events(request: StaffRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    queryset: QuerySet[AuditEvent] = AuditEvent.objects.order_by(*NEWEST_FIRST)
    if form.is_bound:
        queryset = form.filter(queryset) if form.is_valid() else queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows, items = _page_rows(queryset, page, request.user)
    record(
        Action.AUDIT_VIEWED,
        actor=request.user,
        via="web",
        page=page.number,
        filters=form.summary(),
    )
    return render(
        request, "audit/events.html", {"form": form, "page": page, "rows": rows, "items": items}
    )


def _page_rows(
    queryset: QuerySet[AuditEvent], page: Page[AuditEvent], reader: User
) -> tuple[list[EventRow], list[wording.Item]]:
    """The page's entries, and its rows in words. One entry either side of the page is read in
    the same query, so that a page view cut by the page's edge says it goes on."""
    start, end = page.start_index() - 1, page.end_index()
    if end <= start:
        return [], []
    low = max(start - 1, 0)
    events = list(queryset[low : end + 1])
    rows = present(events)
    shown = [low + index in range(start, end) for index in range(len(rows))]
    page_rows = [row for row, visible in zip(rows, shown, strict=True) if visible]
    return page_rows, wording.page_items(rows, shown, reader)


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
