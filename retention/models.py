"""What is left of a purged tip: what the statistics need, nothing a person typed.

The tip row, its ciphertexts, files, blind indexes, links, receipt lookup and every wrap of its
keys are gone; the tombstone keeps the tip's public id (the audit log names it too), its dates
and the coarse metadata the counts are made of.
"""

from __future__ import annotations

from django.db import models


class TipTombstone(models.Model):
    code = models.UUIDField(unique=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField()
    category = models.CharField(max_length=32)
    priority_level = models.CharField(max_length=8)
    area = models.CharField(max_length=40, blank=True)
    close_reason = models.CharField(max_length=32, blank=True)
    # The outcome codes of the tip's handoffs (e.g. "services_provided"), "" for one without.
    handoff_outcomes = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["purged_at"], name="tombstone_purged_at")]

    def __str__(self) -> str:
        return f"tombstone of tip {self.code}"
