"""Django admin: only for the admin role, only after the second factor, and no tip content.

Only accounts and partner organizations are registered; tips, handoffs and the audit log are
not, so the admin site cannot show what an admin may not read.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from audit import Action, record
from portal import vault
from portal.accounts.access import is_verified_staff
from portal.models import User
from portal.roles import Role
from portal.vault.models import TRIAGE_SLUG
from triage.models import Organization, Service


class StaffAdminSite(admin.AdminSite):
    site_header = "Tip Portal administration"
    site_title = "Tip Portal admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return is_verified_staff(user) and user.role == Role.ADMIN

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # One sign-in for everything: password, then TOTP, on the staff login page.
        return redirect(f"/staff/login/?next={request.get_full_path()}")

    # Password changes must re-wrap the personal vault key, and sign-out must drop the vault
    # cookie and be audited: both happen on the staff pages only.
    def password_change(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        return redirect("accounts:change_password")

    def password_change_done(
        self, request: HttpRequest, extra_context: object = None
    ) -> HttpResponse:
        return redirect("accounts:home")

    def logout(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
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


class OrganizationForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        choices=Service.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = Organization
        fields = ("slug", "name", "hours", "services")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug == TRIAGE_SLUG:
            raise forms.ValidationError("'triage' is the task force's desk; choose another slug.")
        return slug


@admin.register(Organization, site=site)
class OrganizationAdmin(admin.ModelAdmin):
    """The partner directory: name, services, hours and the on-call liaisons. Adding one
    creates its desk key (wrapped to the recovery key) in the same transaction."""

    form = OrganizationForm
    list_display = ("name", "slug", "hours", "on_call_liaisons")
    search_fields = ("name", "slug")

    def get_fields(self, request: HttpRequest, obj: Organization | None = None) -> list[str]:
        fields = ["slug", "name", "hours", "services"]
        return fields if obj is None else [*fields, "liaisons"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Organization | None = None
    ) -> tuple[str, ...]:
        # The slug names the desk key: it never changes once the organization exists.
        return ("slug", "liaisons") if obj is not None else ()

    @admin.display(description="On-call liaisons")
    def on_call_liaisons(self, obj: Organization) -> str:
        return ", ".join(self._liaisons(obj, on_call_only=True)) or "—"

    @admin.display(description="Liaison accounts")
    def liaisons(self, obj: Organization) -> str:
        return ", ".join(self._liaisons(obj, on_call_only=False)) or "—"

    def _liaisons(self, obj: Organization, *, on_call_only: bool) -> list[str]:
        people = User.objects.filter(organization=obj, role=Role.LIAISON, is_active=True)
        if on_call_only:
            people = people.filter(on_call=True)
        return list(people.order_by("username").values_list("username", flat=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return vault.is_initialized()  # a desk key needs the vault's recovery key to exist

    @transaction.atomic
    def save_model(
        self, request: HttpRequest, obj: Organization, form: object, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        changed = sorted(getattr(form, "changed_data", []))
        if change:
            record(Action.ORGANIZATION_UPDATED, actor=request.user, target=obj, fields=changed)
            return
        vault.create_organization_desk(obj, actor=request.user)
        record(
            Action.ORGANIZATION_CREATED,
            actor=request.user,
            target=obj,
            slug=obj.slug,
            services=obj.services,
        )

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
