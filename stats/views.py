"""The statistics pages and their CSV exports: `/triage/statistics/` (supervisors) and
`/handoffs/statistics/` (supervisors: every organization; liaisons: their own)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

import audit
from audit import Action
from portal.accounts.access import StaffRequest, staff_required
from stats import access, export, presenting, reading
from stats.filters import StatisticsFilterForm
from stats.rollup import Filters


def _filters(request: StaffRequest) -> tuple[StatisticsFilterForm, Filters]:
    form = StatisticsFilterForm(request.GET)
    return form, form.filters() if form.is_valid() else StatisticsFilterForm.default()


def _page(request: StaffRequest, view: str) -> HttpResponse:
    scope = access.scope_for(request.user)
    form, filters = _filters(request)
    data = reading.statistics(filters, scope, handoffs_only=view == "handoffs")
    sections = [] if view == "handoffs" else presenting.tip_sections(data)
    sections.append(presenting.handoff_section(data))
    audit.record(
        Action.STATISTICS_VIEWED, actor=request.user, target=None, view=view, **filters.as_audit()
    )
    return render(
        request,
        "stats/statistics.html",
        {
            "view": view,
            "form": form,
            "filters": filters,
            "sections": sections,
            "protected": scope.min_cell,
            "export_query": request.GET.urlencode(),
        },
    )


def _export(request: StaffRequest, view: str) -> HttpResponse:
    scope = access.scope_for(request.user).for_export()
    _, filters = _filters(request)
    data = reading.statistics(filters, scope, handoffs_only=view == "handoffs")
    audit.record(
        Action.STATISTICS_EXPORTED, actor=request.user, target=None, view=view, **filters.as_audit()
    )
    response = HttpResponse(export.to_csv(data), content_type="text/csv; charset=utf-8")
    name = f"statistics-{view}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required(access.TIPS)
@require_safe
def tips_page(request: StaffRequest) -> HttpResponse:
    return _page(request, "triage")


@staff_required(access.TIPS)
@require_safe
def tips_export(request: StaffRequest) -> HttpResponse:
    return _export(request, "triage")


@staff_required(access.HANDOFFS)
@require_safe
def handoffs_page(request: StaffRequest) -> HttpResponse:
    return _page(request, "handoffs")


@staff_required(access.HANDOFFS)
@require_safe
def handoffs_export(request: StaffRequest) -> HttpResponse:
    return _export(request, "handoffs")
