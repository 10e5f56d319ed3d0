"""Saved queue views: a member names the current queue filter and finds it as a link above
their queue. Only the known filter parameters are kept (`queue.Filters.saved_query`), never
the text of an identifier search; each member sees only their own (`access.saved_filters_for`).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.access import StaffRequest, staff_required
from portal.outcomes import ActionError
from triage import access, actions, queue

MAX_QUERY = 2000


def _to_queue(query: str) -> HttpResponse:
    return redirect(f"{reverse('triage:queue')}?{query}" if query else reverse("triage:queue"))


@staff_required("triage.saved_filters")
@require_POST
def save(request: StaffRequest) -> HttpResponse:
    name = request.POST.get("name", "")[:200]
    query = QueryDict(request.POST.get("query", "")[:MAX_QUERY])
    try:
        saved = actions.do_save_queue_filter(name, query, acting_user=request.user)
    except ActionError as refused:
        # The form again, with what was typed, the reason, and the way back to that queue.
        filters, _errors = queue.Filters.from_query(query)
        context = {
            "name": name,
            "query": query.urlencode(),
            "error": refused.message,
            "search_not_saved": bool(filters.q) and not filters.saved_search,
        }
        return render(request, "triage/save_filter.html", context, status=400)
    messages.success(request, _("View “%(name)s” saved.") % {"name": saved.name})
    return _to_queue(saved.query)


@staff_required("triage.saved_filters")
@require_POST
def delete(request: StaffRequest, code: UUID) -> HttpResponse:
    saved = access.get_saved_filter_for_staff(request, code)
    actions.do_delete_queue_filter(saved, acting_user=request.user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": saved.name})
    return _to_queue(QueryDict(request.POST.get("back", "")[:MAX_QUERY]).urlencode())
