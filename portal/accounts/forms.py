from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partners.models import Organization
from portal.context_processors import own_name
from portal.models import User
from portal.roles import Role, belongs_to_organization


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrollForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Enter the 6-digit code your app shows"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _language_choices() -> list[tuple[str, str]]:
    return [
        *((code, own_name(code)) for code, _name in settings.LANGUAGES),
        ("", str(_("The browser's choice"))),
    ]


class LanguageForm(forms.Form):
    """The language of one's own staff pages: each named in its own language, or the browser's."""

    language = forms.ChoiceField(
        label=_("Language of the staff pages"),
        choices=_language_choices,
        required=False,
        widget=forms.RadioSelect,
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            raise forms.ValidationError(_("The two passwords are not the same."))
        return data


class InviteForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), required=False, to_field_name="slug"
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if belongs_to_organization(data.get("role")) != (data.get("organization") is not None):
            raise forms.ValidationError(_("Liaisons need an organization; other roles have none."))
        if User.objects.filter(username=data.get("username")).exists():
            self.add_error("username", _("That username is taken."))
        return data
