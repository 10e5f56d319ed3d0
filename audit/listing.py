"""Filtering and presenting audit entries: one form and one row shape for the page and the API.

Rows are built from the hashed entry (`canon`), never from the indexed columns, so what a
supervisor reads is what the chain protects. The columns only decide which rows match a filter,
and `verify_audit` checks that they agree with the entries. An entry not linked into the chain
yet (a moment after its commit, see audit/sequencer.py) has no hashed form: it is shown from its
columns with `seq` None ("not yet chained"), newest first, ahead of the linked entries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, OrderBy, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.encoding import parse_time
from audit.events import Action
from audit.models import AuditEvent
from audit.record import ANONYMOUS, SYSTEM

MAX_FILTER_LENGTH = 100
USER_TARGET = "portal.user"


def action_choices() -> list[tuple[str, str]]:
    """The action filter's options in words, in the reader's language (asked at each render)."""
    return [("", str(_("Any action")))] + [(action.name, str(action.label)) for action in Action]


# Newest first: entries still waiting for the sequencer (seq NULL) on top, in the order they
# were written, then by seq. On PostgreSQL the seq indexes give this order (DESC puts NULLs
# first) and `-id` only sorts the unlinked ones among themselves (an incremental sort).
NEWEST_FIRST: tuple[OrderBy | str, ...] = (F("seq").desc(nulls_first=True), "-id")


class EventFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Actor"),
        required=False,
        max_length=150,
        help_text=_("A username, a user id, “anonymous” or “system”."),
    )
    action = forms.CharField(
        label=_("Action"), required=False, max_length=40, widget=forms.Select()
    )
    target_type = forms.CharField(
        label=_("Target type"),
        required=False,
        max_length=MAX_FILTER_LENGTH,
        help_text=_("For example tips.tip"),
    )
    target_id = forms.CharField(label=_("Target id"), required=False, max_length=MAX_FILTER_LENGTH)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = action_choices()

    def clean_action(self) -> Action | None:
        value = self.cleaned_data["action"].strip()
        if not value:
            return None
        try:
            return Action.parse(value)
        except ValueError:
            raise forms.ValidationError(
                _("Unknown action: give its name (e.g. TIP_CLAIMED) or its number.")
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        if end and end >= dt.date.max:
            self.add_error("date_to", _("Give a real end date."))
        return cleaned

    def filter(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("actor"):
            queryset = queryset.filter(actor__in=actor_values(data["actor"]))
        if data.get("action") is not None:
            queryset = queryset.filter(action=int(data["action"]))
        if data.get("target_type"):
            queryset = queryset.filter(target_type=data["target_type"].strip())
        if data.get("target_id"):
            queryset = queryset.filter(target_id=data["target_id"].strip())
        if data.get("date_from"):
            queryset = queryset.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            queryset = queryset.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return queryset

    def summary(self) -> dict[str, str]:
        """The filters in use, for the AUDIT_VIEWED entry (short strings, never huge input)."""
        if not self.is_bound or not self.is_valid():
            return {}
        summary: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            text = value.name if isinstance(value, Action) else str(value)
            summary[name] = text[:MAX_FILTER_LENGTH]
        return summary


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of a calendar day in the site's time zone (what staff mean by a date)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def actor_values(text: str) -> list[str]:
    """What the actor column may hold for a filter: `anonymous`, `system`, or user ids."""
    value = text.strip()
    if value.lower() in (ANONYMOUS, SYSTEM):
        return [value.lower()]
    if value.isascii() and value.isdigit():
        return [value]
    users = get_user_model().objects.filter(username__iexact=value)
    return [str(pk) for pk in users.values_list("pk", flat=True)]


@dataclass(frozen=True)
class EventRow:
    seq: int | None  # None: written, not yet chained
    at: dt.datetime
    actor: str
    actor_name: str
    action: str
    action_code: int
    action_label: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    target_name: str = ""  # a user target's username (the viewer's words; not in the API)

    @property
    def details_text(self) -> str:
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True)

    def as_api(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "actor_name": self.actor_name,
            "action": self.action,
            "action_code": self.action_code,
            "action_label": self.action_label,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "details": self.details,
        }


def present(events: Iterable[AuditEvent]) -> list[EventRow]:
    """Rows from the hashed entries, with usernames (of actors, and of users an entry is about)
    looked up in one query."""
    events = list(events)
    entries = [event.entry for event in events]
    user_ids = {entry["actor"] for entry in entries if str(entry["actor"]).isdigit()}
    user_ids |= {
        str(target[1])
        for entry in entries
        if (target := entry.get("target")) and target[0] == USER_TARGET and str(target[1]).isdigit()
    }
    names = {
        str(pk): username
        for pk, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "username")
    }
    rows = []
    for event, entry in zip(events, entries, strict=True):
        actor = str(entry["actor"])
        try:
            action = Action(entry["action"])
            name, label = action.name, str(action.label)
        except ValueError:  # a constant removed from the code since: still shown, by number
            name = label = str(entry["action"])
        target = entry.get("target") or ["", ""]
        seq = entry.get("seq", event.seq)
        rows.append(
            EventRow(
                seq=None if seq is None else int(seq),
                at=parse_time(entry["at"]),
                actor=actor,
                actor_name=names.get(actor, actor if not actor.isdigit() else f"user #{actor}"),
                action=name,
                action_code=int(entry["action"]),
                action_label=label,
                target_type=target[0],
                target_id=target[1],
                details=entry.get("details") or {},
                target_name=names.get(target[1], "") if target[0] == USER_TARGET else "",
            )
        )
    return rows
