"""The partner directory in the staff admin (`portal.accounts.admin.site`)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from partners.actions import create_organization, record_organization_changed
from partners.models import Organization, Service
from portal import vault
from portal.accounts.admin import site
from portal.models import User
from portal.roles import ORGANIZATION_ROLES
from portal.vault.models import TRIAGE_SLUG


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

    def get_fields(self, request: HttpRequest, obj: Organization | None = None) -> tuple[str, ...]:
        fields = ("slug", "name", "hours", "services")
        return fields if obj is None else (*fields, "liaisons")

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
        people = User.objects.filter(organization=obj, role__in=ORGANIZATION_ROLES, is_active=True)
        if on_call_only:
            people = people.filter(on_call=True)
        return list(people.order_by("username").values_list("username", flat=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return vault.is_initialized()  # a desk key needs the vault's recovery key to exist

    @transaction.atomic
    def save_model(
        self, request: HttpRequest, obj: Organization, form: object, change: bool
    ) -> None:
        if not change:
            create_organization(obj, actor=request.user)
            return
        super().save_model(request, obj, form, change)
        changed = getattr(form, "changed_data", [])
        record_organization_changed(obj, fields=changed, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
