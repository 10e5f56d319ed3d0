from django.db import models
from django.utils import timezone


class Row(models.Model):
    """One row per baseline request: the least a "store what was posted" view can write."""

    created_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"row {self.pk}"
