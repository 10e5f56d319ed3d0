from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone

from handoffs.actions import ConsentGiven, NewHandoff
from handoffs.models import Activity, Consent, Outcome, Scope
from partners.models import Organization, Service


class HandoffForm(forms.Form):
    """An investigator's handoff: where to, for what, what the liaison needs, and consent."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        empty_label="Choose an organization",
    )
    services = forms.MultipleChoiceField(
        choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Written for the liaison: what help is needed. Without consent it must not "
        "identify the person.",
    )
    language = forms.CharField(max_length=16, required=False, help_text="e.g. es, en, vi")
    consent_given = forms.ChoiceField(
        choices=[("no", "No: send an anonymous service request"), ("yes", "Yes")],
        initial="no",
        widget=forms.RadioSelect,
        label="Did the person consent to sharing information that identifies them?",
    )
    consent_party = forms.ChoiceField(choices=Consent.Party.choices, required=False)
    consent_method = forms.ChoiceField(choices=[("", "—"), *Consent.Method.choices], required=False)
    consent_scope = forms.MultipleChoiceField(
        choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    consent_expires = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(max_length=200, required=False)
    contact = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="How and when it is safe to reach them",
    )
    location = forms.CharField(max_length=500, required=False)
    situation = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, services: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.all()
        field = cast("forms.ModelChoiceField[Organization]", self.fields["organization"])
        if services:
            # "Filtered by the services needed": only partners offering every one of them.
            offering = [org for org in organizations if set(services) <= set(org.services)]
            field.queryset = Organization.objects.filter(pk__in=[org.pk for org in offering])
        else:
            field.queryset = Organization.objects.all()
        self.fields["consent_expires"].initial = timezone.localdate() + timedelta(days=90)

    def handoff(self) -> NewHandoff:
        data = self.cleaned_data
        consent = None
        if data["consent_given"] == "yes":
            consent = ConsentGiven(
                method=data.get("consent_method") or "",
                scope=tuple(data.get("consent_scope") or ()),
                expires_at=data.get("consent_expires") or timezone.localdate(),
                party=data.get("consent_party") or Consent.Party.PERSON,
            )
        return NewHandoff.from_fields(data, consent)


class OutcomeForm(forms.Form):
    # Nothing preselected: an outcome is a statement the liaison makes, never a default.
    outcome = forms.ChoiceField(choices=[("", "Choose the outcome"), *Outcome.choices])
    services_provided = forms.MultipleChoiceField(
        choices=Service.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactAttemptForm(forms.Form):
    method = forms.ChoiceField(choices=Activity.Method.choices)
    note = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
