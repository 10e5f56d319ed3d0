"""Django admin: only for the admin role, only after the second factor, and no tip content.

Only accounts and partner organizations are registered; tips, handoffs and the audit log are
not, so the admin site cannot show what an admin may not read.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from audit import Action, record
from portal.accounts.access import is_verified_staff
from portal.models import User


class StaffAdminSite(admin.AdminSite):
    site_header = "Tip Portal administration"
    site_title = "Tip Portal admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return is_verified_staff(user) and user.may("accounts.manage")

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # One sign-in for everything: password, then TOTP, on the staff login page.
        return redirect(f"/staff/login/?next={request.get_full_path()}")

    # Password changes must re-wrap the personal vault key, and sign-out must drop the vault
    # cookie and be audited: both happen on the staff pages only.
    def password_change(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:  # type: ignore[override]  # a redirect, not the admin's page
        return redirect("accounts:change_password")

    def password_change_done(  # type: ignore[override]  # a redirect, not the admin's page
        self, request: HttpRequest, extra_context: object = None
    ) -> HttpResponse:
        return redirect("accounts:home")

    def logout(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:  # type: ignore[override]  # a redirect, not the admin's page
        return redirect("accounts:home")


site = StaffAdminSite(name="staff_admin")


@admin.register(User, site=site)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "organization", "is_active", "on_call", "last_login")
    list_filter = ("role", "is_active", "on_call")
    search_fields = ("username", "email")
    fields = ("username", "email", "role", "organization", "on_call", "is_active")
    # Role, organization and status change desk eligibility: only through audited actions.
    readonly_fields = ("username", "role", "organization", "is_active")

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = sorted(getattr(form, "changed_data", []))
        record(Action.ACCOUNT_UPDATED, actor=request.user, target=obj, fields=changed)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are created by invitation or create_staff (keys, TOTP, audit)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # disabling keeps the audit trail's actor meaningful
