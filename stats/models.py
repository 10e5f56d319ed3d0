"""Daily roll-ups: one row per day, category, area, organization, measure and code.

A statistic is a sum of these rows over a date range, so a page reads a few thousand rows
however many tips there are. The rows hold counts only: no text, no tip ids.
"""

from __future__ import annotations

from django.db import models


class DailyCount(models.Model):
    class Grain(models.IntegerChoices):
        # By category and area: what a filtered page sums.
        DETAIL = 0
        # Summed over categories and areas (but the tips by category, and by area): what the
        # unfiltered page sums, a small fraction of the rows.
        ALL = 1

    grain = models.PositiveSmallIntegerField(choices=Grain.choices, default=Grain.DETAIL)
    day = models.DateField()
    # The Monday of `day`'s week, stored so that weekly sums group on a column (SQLite has no
    # week function of its own: Django's would run in Python for every row).
    week = models.DateField()
    # The tip's category and area at the time of the roll-up ("" when unknown: a handoff of a
    # purged tip keeps neither).
    category = models.CharField(max_length=32, blank=True)
    area = models.CharField(max_length=40, blank=True)
    # Handoff measures only: the partner organization, so a liaison's view filters on it.
    organization = models.ForeignKey(
        "partners.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What is counted (stats.facts.Measure) and the code it is counted by (a priority level, a
    # close reason, a service, a time bucket...).
    measure = models.CharField(max_length=32)
    code = models.CharField(max_length=48, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # The page's one read: the rows of a date range.
            models.Index(fields=["grain", "day", "measure"], name="dailycount_day"),
            # A liaison's view: their organization's rows of a date range.
            models.Index(fields=["organization", "grain", "day"], name="dailycount_org_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.code}: {self.count}"


class RollupState(models.Model):
    """One row: the last day rolled up and when the roll-up last ran (what changed since then
    is rolled up again)."""

    rolled_through = models.DateField(null=True, blank=True)
    last_run = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rolled up through {self.rolled_through}"
