"""Handoff pages: the investigator's handoff form, the liaison's inbox and handoff page."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.db.models import Case, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from handoffs import access, actions, consent, reading
from handoffs.forms import ContactAttemptForm, HandoffForm, OutcomeForm
from handoffs.models import Handoff, Scope, Status
from partners.models import Organization, Service
from portal import vault
from portal.accounts.access import StaffRequest, keys_or_locked, staff_required, unlocked_keys
from portal.outcomes import ActionError
from portal.pages import run_action
from triage import access as triage_access


@staff_required("triage.create_handoff")
@require_http_methods(["GET", "POST"])
def create(request: StaffRequest, tip: UUID) -> HttpResponse:
    tip_row = triage_access.get_tip_for_staff(request, tip)
    needed = [code for code in request.GET.getlist("need") if code in Service.values]
    form = HandoffForm(request.POST or None, services=needed)
    if request.method == "POST" and form.is_valid():
        try:
            handoff = actions.do_create_handoff(
                tip_row,
                form.handoff(),
                acting_user=request.user,
                unlocked=unlocked_keys(request),
            )
        except ActionError as outcome:
            form.add_error(None, outcome.message)
        else:
            messages.success(request, f"Handed off to {handoff.organization.name}.")
            return redirect("triage:tip", tip_row.code)
    return render(
        request,
        "handoffs/create.html",
        {
            "tip": tip_row,
            "form": form,
            "needed": needed,
            "services": Service.choices,
            "organizations": Organization.objects.all(),
            "statement": consent.statement(
                consent.CURRENT_VERSION,
                organization="[the organization chosen above]",
                services="[the services ticked above]",
                pieces="[the pieces of information ticked below]",
                expires="[the date below]",
            ),
            "not_conditioned": consent.NOT_CONDITIONED,
        },
        status=400 if form.errors else 200,
    )


@staff_required("handoffs.view")
@require_safe
def inbox(request: StaffRequest) -> HttpResponse:
    waiting_first = Case(
        When(status=Status.PENDING, then=Value(0)),
        When(status=Status.ACCEPTED, then=Value(1)),
        default=Value(2),
    )
    rows = (
        access.handoffs_for(request.user)
        .select_related("organization", "tip")  # the urgency flags, plaintext metadata
        .order_by(waiting_first, "-created_at")[:200]
    )
    return render(request, "handoffs/inbox.html", {"handoffs": rows})


def _detail(request: StaffRequest, handoff: Handoff, status: int = 200) -> HttpResponse:
    view = reading.open_handoff(handoff, keys_or_locked(request), actor=request.user)
    return render(
        request,
        "handoffs/detail.html",
        {
            "view": view,
            "handoff": handoff,
            "consent": getattr(handoff, "consent", None),
            # Two forms on one page, both with a note: distinct ids keep each label on its box.
            "outcome_form": OutcomeForm(auto_id="outcome_%s"),
            "attempt_form": ContactAttemptForm(auto_id="attempt_%s"),
            "recorded_statement": _recorded_statement(handoff),
            "is_liaison": request.user.may("handoffs.respond"),
        },
        status=status,
    )


def _recorded_statement(handoff: Handoff) -> str:
    """The consent statement as it was read, filled in from the ledger entry."""
    entry = getattr(handoff, "consent", None)
    if entry is None:
        return ""
    services, scopes = dict(Service.choices), dict(Scope.choices)
    return consent.statement(
        entry.statement_version,
        organization=handoff.organization.name,
        services=", ".join(str(services.get(code, code)) for code in entry.services).lower(),
        pieces=", ".join(str(scopes.get(code, code)) for code in entry.scope).lower(),
        expires=entry.expires_at.isoformat(),
    )


@staff_required("handoffs.view")
@require_safe
def detail(request: StaffRequest, code: UUID) -> HttpResponse:
    handoff = access.get_handoff_for_staff(request, code)
    if handoff.purged_at is not None:
        # Its tip was purged under the retention policy: nothing sealed is left, only the outcome.
        return render(request, "handoffs/purged.html", {"handoff": handoff})
    try:
        return _detail(request, handoff)
    except (vault.Locked, vault.NoDeskAccess):
        return render(request, "handoffs/locked.html", status=403)


def _act(
    request: StaffRequest, code: UUID, handler: Callable[[Handoff], object], done: str
) -> HttpResponse:
    handoff = access.get_handoff_for_staff(request, code)
    run_action(request, lambda: handler(handoff), done)
    return redirect("handoffs:detail", handoff.code)


@staff_required("handoffs.respond")
@require_POST
def accept(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request, code, lambda h: actions.do_accept(h, acting_user=request.user), "Accepted."
    )


@staff_required("handoffs.respond")
@require_POST
def decline(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda h: actions.do_decline(
            h,
            request.POST.get("reason", ""),
            acting_user=request.user,
            unlocked=keys_or_locked(request),
        ),
        "Declined: it goes back to the investigator to re-route.",
    )


@staff_required("handoffs.respond")
@require_POST
def contact_attempt(request: StaffRequest, code: UUID) -> HttpResponse:
    form = ContactAttemptForm(request.POST)
    method = form.data.get("method", "")
    return _act(
        request,
        code,
        lambda h: actions.do_record_contact_attempt(
            h, method, form.data.get("note", "")[:5000], acting_user=request.user
        ),
        "Contact attempt recorded.",
    )


@staff_required("handoffs.respond")
@require_POST
def outcome(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda h: actions.do_record_outcome(
            h,
            request.POST.get("outcome", ""),
            services_provided=tuple(request.POST.getlist("services_provided")),
            note=request.POST.get("note", "")[:5000],
            acting_user=request.user,
        ),
        "Outcome recorded; only the outcome code goes back to the task force.",
    )


@staff_required("handoffs.respond")
@require_POST
def add_note(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda h: actions.do_add_note(h, request.POST.get("note", ""), acting_user=request.user),
        "Note added.",
    )


@staff_required("handoffs.view")
@require_POST
def revoke_consent(request: StaffRequest, code: UUID) -> HttpResponse:
    return _act(
        request,
        code,
        lambda h: actions.do_revoke_consent(h, acting_user=request.user),
        "Consent revoked: the organization no longer has the identifying details.",
    )
