"""Readable labels for the codes handoffs store (services, consent pieces, activity kinds)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from handoffs.models import Activity, Scope
from partners.models import Service

register = template.Library()

_LABELS = {
    **dict(Service.choices),
    **dict(Scope.choices),
    **dict(Activity.Kind.choices),
    **dict(Activity.Method.choices),
}


@register.filter
def labels(codes: Iterable[str]) -> str:
    return ", ".join(str(_LABELS.get(code, code)) for code in codes)


@register.filter
def label(code: str) -> str:
    return str(_LABELS.get(code, code))
