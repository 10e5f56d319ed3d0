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
