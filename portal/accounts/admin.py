"""Django admin: only for the admin role, only after the second factor, and no tip content.

Only accounts and partner organizations are registered; tips, handoffs and the audit log are
not, so the admin site cannot show what an admin may not read.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.accounts.access import is_verified_staff
from portal.models import User
from portal.roles import Role
from triage.models import Organization


class StaffAdminSite(admin.AdminSite):
    site_header = "Tip Portal administration"
    site_title = "Tip Portal admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return is_verified_staff(user) and user.role == Role.ADMIN

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # One sign-in for everything: password, then TOTP, on the staff login page.
        return redirect(f"/staff/login/?next={request.get_full_path()}")


site = StaffAdminSite(name="staff_admin")


@admin.register(User, site=site)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "organization", "is_active", "on_call", "last_login")
    list_filter = ("role", "is_active", "on_call")
    search_fields = ("username", "email")
    fields = ("username", "email", "role", "organization", "on_call", "is_active")
    readonly_fields = ("username", "role", "is_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are created by invitation or create_staff (keys, TOTP, audit)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # disabling keeps the audit trail's actor meaningful


@admin.register(Organization, site=site)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "hours")
    search_fields = ("name", "slug")
    fields = ("name", "hours", "services")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # organizations need a desk key: create_org

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
