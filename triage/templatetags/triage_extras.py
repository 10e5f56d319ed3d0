from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from triage.summary import REASON_LABELS

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60} min"
    return f"{hours // 24} d {hours % 24} h"


@register.filter
def sla_left(due: datetime | None) -> str:
    """Time left on the service-level clock, or how long it is overdue."""
    if due is None:
        return ""
    delta = (due - timezone.now()).total_seconds()
    return f"{_span(delta)} left" if delta >= 0 else f"overdue {_span(-delta)}"


@register.filter
def is_overdue(due: datetime | None) -> bool:
    return due is not None and due < timezone.now()


@register.filter
def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code.replace("_", " "))


@register.filter
def age(moment: datetime) -> str:
    return _span((timezone.now() - moment).total_seconds())


# --- words, not codes -------------------------------------------------------------------------


@register.filter
def area_label(code: str) -> str:
    """The area's name in the reader's language; the code itself if the list no longer has it."""
    from tips.areas import all_areas  # noqa: PLC0415 - the area list loads with settings

    for area in all_areas():
        if area.code == code:
            return str(area.label())
    return code


@register.filter
def indicator_label(code: str) -> str:
    from tips.indicators import INDICATOR_GROUPS  # noqa: PLC0415

    for _group, _title, items in INDICATOR_GROUPS:
        for value, label in items:
            if value == code:
                return str(label)
    return code


@register.filter
def change_label(kind: str) -> str:
    from triage.models import Change  # noqa: PLC0415 - models load after apps

    return str(dict(Change.Kind.choices).get(kind, kind))


@register.filter
def change_value(value: str, kind: str) -> str:
    """A recorded value in words: a status, a category or a priority level, as its kind says."""
    from tips.models import PriorityLevel, Status, What  # noqa: PLC0415

    choices: dict[str, object] = {
        "claim": Status.choices,
        "release": Status.choices,
        "transition": Status.choices,
        "reopen": Status.choices,
        "categorize": What.choices,
        "reprioritize": PriorityLevel.choices,
    }
    labels = dict(choices.get(kind, []))  # type: ignore[call-overload]
    return str(labels.get(value, value))
