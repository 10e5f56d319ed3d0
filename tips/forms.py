"""The public forms: plain HTML, validated on the server, every field bounded.

They work with JavaScript off (Tor Browser "safest"): no field depends on a script, errors come
back next to their fields, and everything typed is rendered back on an error. Files are the one
exception (browsers cannot refill a file input), which the page says.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tips.areas import area_choices, area_codes
from tips.attachments import ACCEPT, AttachmentRefused, CleanedAttachment, clean_upload
from tips.indicators import INDICATOR_CODES, INDICATOR_GROUPS
from tips.models import FORM_WHAT_CHOICES, Answer, Recency, What
from tips.submission import (
    MAX_DESCRIPTION,
    MAX_IDENTIFIER_CHARS,
    MAX_IDENTIFIER_ITEMS,
    MAX_SHORT,
    MAX_TEXT,
    Contact,
    TipSubmission,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HONEYPOT_FIELD = "homepage"
_TOKEN_SIGNER = signing.Signer(salt="tips.submission-token")


def new_submission_token() -> str:
    """The form's one-time token: 192 random bits, signed so that only the server makes them."""
    return _TOKEN_SIGNER.sign(secrets.token_urlsafe(24))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    # Listing the types also makes iOS convert HEIC photos to JPEG when they are picked.
    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [file for file in files if file]


def clean_attachments(
    files: list[UploadedFile], *, keep_original: bool
) -> tuple[list[CleanedAttachment], list[str]]:
    """Each file checked and cleaned; the messages say which file failed and why."""
    limit = settings.TIP_ATTACHMENT_MAX_COUNT
    if len(files) > limit:
        message = ngettext(
            "You can attach at most %(count)d file.",
            "You can attach at most %(count)d files.",
            limit,
        ) % {"count": limit}
        return [], [message]
    cleaned, errors = [], []
    for upload in files:
        name = upload.name or "file"
        try:
            if getattr(upload, "oversize", False):
                raise AttachmentRefused(
                    _("This file is too big (the limit is %(size)s).")
                    % {"size": _megabytes(settings.TIP_ATTACHMENT_MAX_BYTES)},
                    "too_large",
                )
            cleaned.append(clean_upload(name, upload.read(), keep_original=keep_original))
        except AttachmentRefused as refused:
            errors.append(f"{_display(name)}: {refused.message}")
    return cleaned, errors


def _display(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1][:80]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class LinesField(forms.CharField):
    """One value per line: phones, emails, handles, websites, plates."""

    widget = forms.Textarea(attrs={"rows": 2})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_IDENTIFIER_ITEMS * (MAX_IDENTIFIER_CHARS + 2))
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        lines = _lines(value)
        if len(lines) > MAX_IDENTIFIER_ITEMS:
            raise forms.ValidationError(
                _("Please list at most %(count)d, one per line."),
                params={"count": MAX_IDENTIFIER_ITEMS},
                code="too_many",
            )
        if any(len(line) > MAX_IDENTIFIER_CHARS for line in lines):
            raise forms.ValidationError(
                _("Each line can be at most %(count)d characters."),
                params={"count": MAX_IDENTIFIER_CHARS},
                code="too_long",
            )


def _text(max_length: int, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class TelInput(forms.TextInput):
    input_type = "tel"


# Said in plain words what to do, instead of Django's "This field is required."
PLAIN_MESSAGES: dict[str, StrOrPromise] = {
    "max_length": _(
        "Please shorten this to %(limit_value)d characters or fewer (it has %(show_value)d)."
    ),
    "invalid_choice": _("Please choose one of the answers shown."),
}


class PublicForm(forms.Form):
    """Required questions are marked in words, and every message says what to do."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Field.template_name is Django 5's; the stubs do not know it yet.
            field.template_name = "tips/field.html"  # type: ignore[attr-defined]
            for code, message in PLAIN_MESSAGES.items():
                if code in field.error_messages:
                    field.error_messages[code] = message

    def _opened(self, names: tuple[str, ...]) -> bool:
        """Whether a folded section opens: it holds an answer or a problem, so nothing typed
        is hidden when the form comes back."""
        if not self.is_bound:
            return False
        for name in names:
            if self.errors.get(name):
                return True
            value = self.data.get(name, "")
            if value and value.strip() and value != self.fields[name].initial:
                return True
        return False


class HoneypotMixin(PublicForm):
    # Hidden from people (CSS, aria-hidden, out of the tab order); bots fill every field.
    homepage = forms.CharField(
        required=False,
        max_length=MAX_SHORT,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # A one-time token: sending the same form twice gives one tip, not two.
    submission_token = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)

    def clean_submission_token(self) -> str:
        # Only a token of the server's making may bring a receipt back: one a page elsewhere
        # made up and handed to many people would give each the first one's receipt.
        token = self.cleaned_data.get("submission_token", "")
        try:
            _TOKEN_SIGNER.unsign(token)
        except signing.BadSignature:
            return ""
        return token

    def clean_homepage(self) -> str:
        value = self.cleaned_data.get("homepage", "")
        if value:
            raise forms.ValidationError(_("Please leave this field empty."), code="honeypot")
        return value


class TipForm(HoneypotMixin):
    # The optional sections, folded behind <details> so the four required questions and the
    # send button come first on a phone.
    SECTIONS: dict[str, tuple[str, ...]] = {
        "where": ("recency", "when", "location", "area"),
        "people": ("people", "vehicles"),
        "identifiers": ("phones", "emails", "handles", "urls", "plates"),
        "indicators": ("indicators",),
        "files": ("attachments", "keep_original"),
        "contact": (
            "contact_name",
            "contact_phone",
            "contact_email",
            "contact_best_time",
            "may_contact",
        ),
    }

    what = forms.ChoiceField(
        label=_("What is happening?"),
        choices=FORM_WHAT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what is happening. If nothing fits, choose the closest one.")
        },
    )
    immediate_danger = forms.ChoiceField(
        label=_("Is anyone in immediate danger?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose Yes, No or Not sure. If anyone is, call 911.")},
    )
    minor_involved = forms.ChoiceField(
        label=_("Is anyone involved under 18?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose Yes, No or Not sure; a guess is fine.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        error_messages={
            "required": _("Tell us in a few words what you saw or heard; it can be short.")
        },
        help_text=_(
            "Describe what you saw or heard, in your own words. Include anything that seems "
            "important, even if you are not sure."
        ),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    recency = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=Recency.choices,
        initial=Recency.UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    when = forms.CharField(
        label=_("Date and time, if you know them"),
        required=False,
        max_length=MAX_SHORT,
    )
    location = _text(
        MAX_TEXT,
        label=_("Where did it happen?"),
        help_text=_("An address, business name, hotel, intersection or landmark."),
    )
    area = forms.ChoiceField(label=_("Area"), required=False, choices=())
    people = _text(
        MAX_TEXT,
        rows=4,
        label=_("People involved"),
        help_text=_(
            "Approximate ages, names or nicknames, clothing, height, hair, tattoos or other "
            "marks. Please do not describe race or ethnicity."
        ),
    )
    vehicles = _text(
        MAX_TEXT,
        label=_("Vehicles"),
        help_text=_("Make, model, color, and anything unusual about them."),
    )
    phones = LinesField(label=_("Phone numbers"), help_text=_("One per line."))
    emails = LinesField(label=_("Email addresses"), help_text=_("One per line."))
    handles = LinesField(
        label=_("Social media accounts or usernames"), help_text=_("One per line, e.g. @name.")
    )
    urls = LinesField(label=_("Websites or ads"), help_text=_("One per line."))
    plates = LinesField(
        label=_("License plates"), help_text=_("One per line, with the state if you know it.")
    )
    indicators = forms.MultipleChoiceField(
        label=_("Did you notice any of these signs?"),
        required=False,
        choices=[(code, text) for _g, _label, items in INDICATOR_GROUPS for code, text in items],
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=_("Up to %(count)d files: photos (JPEG, PNG, WebP) or PDF documents."),
    )
    keep_original = forms.BooleanField(
        label=_(
            "Also send the original files, with their hidden information (such as where "
            "and when a photo was taken)"
        ),
        required=False,
    )
    # autocomplete off: the browser should not remember what was typed here.
    contact_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=MAX_SHORT,
        widget=TelInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    contact_email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Enter an email address like name@example.com, or leave this empty.")
        },
    )
    contact_best_time = forms.CharField(
        label=_("Best time to reach you"), required=False, max_length=MAX_SHORT
    )
    may_contact = forms.ChoiceField(
        label=_("May an investigator contact you?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = area_choices()
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {
            "count": settings.TIP_ATTACHMENT_MAX_COUNT
        }
        self.cleaned_attachments: list[CleanedAttachment] = []

    @property
    def open_sections(self) -> dict[str, bool]:
        return {key: self._opened(names) for key, names in self.SECTIONS.items()}

    def indicator_groups(self) -> list[tuple[StrOrPromise, list[Any]]]:
        """The checkboxes grouped as the Blue Campaign groups them, for a fieldset each."""
        by_code = {box.data["value"]: box for box in self["indicators"]}
        return [
            (label, [by_code[code] for code, _text in items])
            for _g, label, items in INDICATOR_GROUPS
        ]

    def clean_area(self) -> str:
        area = self.cleaned_data.get("area", "")
        if area and area not in area_codes():
            raise forms.ValidationError(_("Please choose an area from the list."), code="invalid")
        return area

    def clean_attachments(self) -> list[UploadedFile]:
        files = self.cleaned_data.get("attachments") or []
        cleaned, errors = clean_attachments(
            files, keep_original=self.data.get("keep_original") in ("on", "true", "1")
        )
        if errors:
            raise forms.ValidationError(errors)
        self.cleaned_attachments = cleaned
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("may_contact") == "yes" and not (
            data.get("contact_phone") or data.get("contact_email")
        ):
            self.add_error(
                "contact_phone",
                _("To be contacted, please give a phone number or an email address."),
            )
        return data

    def submission(self, language: str) -> TipSubmission:
        data = self.cleaned_data
        return TipSubmission(
            what=data["what"],
            description=data["description"],
            immediate_danger=data["immediate_danger"],
            minor_involved=data["minor_involved"],
            recency=data.get("recency") or Recency.UNKNOWN,
            when=data["when"],
            location=data["location"],
            area=data["area"],
            people=data["people"],
            vehicles=data["vehicles"],
            identifiers={
                kind: _lines(data[kind])
                for kind in ("phones", "emails", "handles", "urls", "plates")
            },
            indicators=frozenset(data["indicators"]) & INDICATOR_CODES,
            contact=Contact(
                name=data["contact_name"],
                phone=data["contact_phone"],
                email=data["contact_email"],
                best_time=data["contact_best_time"],
                may_contact=data.get("may_contact") == "yes",
            ),
            language=language,
            victim_self_report=data["what"] == What.VICTIM_NEEDS_HELP,
            attachments=tuple(self.cleaned_attachments),
        )


class HelpForm(HoneypotMixin):
    """The "I need help" door: asks little, and how and when it is safe to reach the person."""

    need = _text(
        MAX_DESCRIPTION,
        rows=5,
        label=_("What kind of help do you need?"),
        help_text=_(
            "For example: a safe place to stay, medical care, someone to talk to, "
            "getting your documents back. Write as much or as little as you want."
        ),
    )
    safe_contact = _text(
        MAX_TEXT,
        label=_("How and when is it safe to reach you?"),
        help_text=_(
            "For example: text only, a phone number, an email, times when you are alone, or "
            "words we should not use. Leave empty if no way is safe; you can still check for "
            "replies with your receipt code."
        ),
    )
    immediate_danger = forms.ChoiceField(
        label=_("Are you in danger right now?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    under_18 = forms.ChoiceField(
        label=_("Are you under 18?"),
        help_text=_("You can skip this. Help is there whatever your age."),
        choices=[("yes", _("Yes")), ("no", _("No")), ("unsure", _("I would rather not say"))],
        widget=forms.RadioSelect,
        required=False,
    )
    area = forms.ChoiceField(label=_("Area"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = area_choices()

    def clean_area(self) -> str:
        area = self.cleaned_data.get("area", "")
        if area and area not in area_codes():
            raise forms.ValidationError(_("Please choose an area from the list."), code="invalid")
        return area

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("need") or "").strip() and not (data.get("safe_contact") or "").strip():
            raise forms.ValidationError(
                _("Please tell us what you need, or how we can safely reach you."), code="empty"
            )
        return data

    def submission(self, language: str) -> TipSubmission:
        data = self.cleaned_data
        return TipSubmission(
            what=What.VICTIM_NEEDS_HELP,
            description=data["need"],
            immediate_danger=data.get("immediate_danger") or Answer.UNSURE,
            minor_involved=data.get("under_18") or Answer.UNSURE,
            recency=Recency.NOW,
            area=data["area"],
            contact=Contact(
                safe_contact=data["safe_contact"], may_contact=bool(data["safe_contact"])
            ),
            language=language,
            victim_self_report=True,
        )


class ReceiptForm(PublicForm):
    receipt = forms.CharField(
        label=_("Your receipt code"),
        max_length=64,
        error_messages={"required": _("Type the receipt code you got when you sent your report.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReplyForm(ReceiptForm):
    receipt = forms.CharField(max_length=64, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Add information or reply"),
        max_length=MAX_DESCRIPTION,
        required=False,  # a reply may be only photos or documents; `clean` asks for one or both
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # The same checks and cleaning as the tip form's files. No "send the originals" choice
    # here: a reply sends cleaned copies only.
    attachments = MultipleFileField(
        label=_("Add photos or documents"),
        help_text=_("Up to %(count)d files: photos (JPEG, PNG, WebP) or PDF documents."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned_attachments: list[CleanedAttachment] = []
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {
            "count": settings.TIP_ATTACHMENT_MAX_COUNT
        }

    def clean_attachments(self) -> list[UploadedFile]:
        files = self.cleaned_data.get("attachments") or []
        cleaned, errors = clean_attachments(files, keep_original=False)
        if errors:
            raise forms.ValidationError(errors)
        self.cleaned_attachments = cleaned
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        if (
            not self.cleaned_data.get("body", "").strip()
            and not self.cleaned_data.get("attachments")
            and "attachments" not in self.errors
        ):
            self.add_error(
                "body",
                forms.ValidationError(
                    _("Write your message in the box, then send it."),
                    code="required",
                ),
            )
        return self.cleaned_data
