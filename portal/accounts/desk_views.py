"""Supervisors hand out the desk keys they hold, from their own unlocked session.

A supervisor holding the triage desk key can wrap it to a new investigator's personal key,
without the offline recovery key; revoking deletes the wrap.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from portal import vault
from portal.accounts.access import StaffRequest, staff_required, unlocked_keys
from portal.models import User
from portal.vault.models import Desk, DeskGrant


def _desk_held_by(request: HttpRequest, slug: str) -> tuple[Desk, vault.UnlockedKeys]:
    """404 for desks the supervisor does not hold: they cannot hand out what they lack."""
    unlocked = unlocked_keys(request)
    desk = get_object_or_404(Desk, slug=slug)
    if unlocked is None or not unlocked.has_desk(desk):
        raise vault.NoDeskAccess(slug)
    return desk, unlocked


@staff_required("vault.grant_desk")
@require_safe
def desks(request: StaffRequest) -> HttpResponse:
    unlocked = unlocked_keys(request)
    held = [
        d for d in Desk.objects.select_related("organization") if unlocked and unlocked.has_desk(d)
    ]
    grants = DeskGrant.objects.filter(desk__in=held).select_related("user", "desk")
    members: dict[str, set[User]] = {desk.slug: set() for desk in held}
    for grant in grants:
        members[grant.desk.slug].add(grant.user)
    candidates = User.objects.filter(is_active=True).order_by("username")
    return render(
        request,
        "accounts/desks.html",
        {
            "desks": [
                (desk, sorted(members[desk.slug], key=lambda u: u.username)) for desk in held
            ],
            "candidates": candidates,
            "locked": unlocked is None,
        },
    )


@staff_required("vault.grant_desk")
@require_POST
def grant(request: StaffRequest, slug: str) -> HttpResponse:
    try:
        desk, unlocked = _desk_held_by(request, slug)
    except vault.NoDeskAccess:
        messages.error(request, "You can only grant a desk key you hold, in an unlocked session.")
        return redirect("accounts:desks")
    user = User.objects.filter(username=request.POST.get("username", "")).first()
    if user is None:
        messages.error(request, "Choose a staff member.")
        return redirect("accounts:desks")
    try:
        vault.grant_desk_from_session(desk, user, unlocked)
    except (vault.NotEligible, vault.NoPersonalKey) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{user.username} now holds the {desk.slug} desk key.")
    return redirect("accounts:desks")


@staff_required("vault.grant_desk")
@require_POST
def revoke(request: StaffRequest, slug: str, username: str) -> HttpResponse:
    try:
        desk, _ = _desk_held_by(request, slug)
    except vault.NoDeskAccess:
        messages.error(request, "You can only revoke a desk key you hold.")
        return redirect("accounts:desks")
    user = get_object_or_404(User, username=username)
    vault.revoke_desk(desk, user, actor=request.user)
    messages.success(request, f"{user.username} no longer holds the {desk.slug} desk key.")
    return redirect("accounts:desks")
