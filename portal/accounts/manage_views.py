"""Account management for admins: invite, disable, enable, reset second factor.

Admins run accounts without reading a single tip: nothing here touches tip content.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal import outbox
from portal.accounts import actions
from portal.accounts.access import StaffRequest, staff_required
from portal.accounts.forms import InviteForm
from portal.models import User, WorkerHeartbeat


@staff_required("accounts.manage")
@require_http_methods(["GET", "POST"])
def accounts(request: StaffRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    invitation_link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, token = actions.do_invite(
            data["username"],
            role=data["role"],
            email=data["email"],
            organization=data["organization"],
            acting_user=request.user,
        )
        # Shown once to the admin, who passes it on; only its hash is stored.
        invitation_link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
        messages.success(request, f"Invitation created for {user.username}.")
        form = InviteForm()
    users = User.objects.select_related("organization").order_by("username")
    return render(
        request,
        "accounts/accounts.html",
        {"form": form, "users": users, "invitation_link": invitation_link},
        status=400 if form.errors else 200,
    )


def _target(username: str) -> User:
    return get_object_or_404(User, username=username)


@staff_required("accounts.manage")
@require_POST
def disable(request: StaffRequest, username: str) -> HttpResponse:
    user = _target(username)
    if user == request.user:
        messages.error(request, "You cannot disable your own account.")
    else:
        actions.do_disable(user, acting_user=request.user)
        messages.success(request, f"{user.username} is disabled and signed out everywhere.")
    return redirect("accounts:accounts")


@staff_required("accounts.manage")
@require_POST
def enable(request: StaffRequest, username: str) -> HttpResponse:
    user = _target(username)
    actions.do_enable(user, acting_user=request.user)
    messages.success(request, f"{user.username} is enabled.")
    return redirect("accounts:accounts")


@staff_required("accounts.manage")
@require_POST
def reset_two_factor(request: StaffRequest, username: str) -> HttpResponse:
    user = _target(username)
    actions.do_reset_two_factor(user, acting_user=request.user)
    messages.success(request, f"{user.username} will set up a new authenticator at next sign-in.")
    return redirect("accounts:accounts")


@staff_required("system.health")
@require_safe
def health(request: StaffRequest) -> HttpResponse:
    """System health for admins: background work and account counts, no tip content."""
    last_beat = WorkerHeartbeat.objects.order_by("-at").first()
    return render(
        request,
        "accounts/health.html",
        {
            "last_beat": last_beat,
            "outbox_waiting": outbox.backlog(),
            "outbox_failing": outbox.failing(),
            "active_staff": User.objects.filter(is_active=True).count(),
            "disabled_staff": User.objects.filter(is_active=False).count(),
        },
    )
