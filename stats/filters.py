"""The date range and filters of a statistics page, its export and the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stats.rollup import Filters
from tips.areas import all_areas
from tips.models import What

# A range longer than this is refused: the weekly series would be meaningless to draw.
MAX_DAYS = 366 * 5


class Range:
    MONTH, LAST_90, YEAR, CUSTOM = "month", "90d", "ytd", "custom"
    # The default first, so the menu shows what an unfiltered page covers.
    CHOICES = (
        (LAST_90, _("Last 90 days")),
        (MONTH, _("This month")),
        (YEAR, _("Year to date")),
        (CUSTOM, _("Custom")),
    )


def preset(name: str, today: date) -> tuple[date, date]:
    if name == Range.MONTH:
        return today.replace(day=1), today
    if name == Range.YEAR:
        return today.replace(month=1, day=1), today
    return today - timedelta(days=89), today


class StatisticsFilterForm(forms.Form):
    range = forms.ChoiceField(label=_("Period"), choices=Range.CHOICES, required=False)
    # `from` is a Python keyword: the field is added under that name below.
    to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    area = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "range": self.fields["range"],
            "from": forms.DateField(
                label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
            ),
            "to": self.fields["to"],
            "area": self.fields["area"],
            "category": self.fields["category"],
        }
        area = cast("forms.ChoiceField", self.fields["area"])
        category = cast("forms.ChoiceField", self.fields["category"])
        area.choices = [("", _("All areas"))] + [(a.code, a.label()) for a in all_areas()]
        category.choices = [("", _("All categories")), *What.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        chosen = data.get("range") or ""
        if (chosen and chosen != Range.CUSTOM) or (start is None and end is None):
            # A preset wins over dates left in the form from the last preset shown.
            start, end = preset(chosen or Range.LAST_90, timezone.localdate())
        elif start is None or end is None:
            missing = "from" if start is None else "to"
            self.add_error(missing, _("Give both dates, or neither."))
            return data
        if end < start:
            self.add_error("to", _("The end date is before the start date."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("to", _("Choose a period of at most five years."))
        data["from"], data["to"] = start, end
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(data["from"], data["to"], data.get("area") or "", data.get("category") or "")

    @classmethod
    def default(cls) -> Filters:
        start, end = preset(Range.LAST_90, timezone.localdate())
        return Filters(start, end)
