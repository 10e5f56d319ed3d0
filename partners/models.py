"""The partner nonprofits that receive victim-service handoffs, and the services they offer.

A foundation model: staff accounts (`portal.User.organization`) and desks point here, and it
depends on no feature app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Service(models.TextChoices):
    HOUSING = "housing", _("Housing")
    SHELTER = "shelter", _("Emergency shelter")
    MEDICAL = "medical", _("Medical care")
    COUNSELING = "counseling", _("Counseling")
    EMPLOYMENT = "employment", _("Employment")
    LEGAL = "legal", _("Legal help")
    BASIC_NEEDS = "basic_needs", _("Basic needs")
    LANGUAGE_ACCESS = "language_access", _("Language access")
    OTHER = "other", _("Other")


class Organization(models.Model):
    """A partner nonprofit that receives victim-service handoffs."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    services = models.JSONField(default=list, help_text="Service codes the organization offers.")
    hours = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def offers(self, service: str) -> bool:
        return service in self.services
