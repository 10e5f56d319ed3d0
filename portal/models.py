from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.roles import ORGANIZATION_ROLES, Role, role_may
from portal.vault import models as vault_models  # noqa: F401 - registers the vault's tables here


class StaffManager(UserManager["User"]):
    def active_with_role(self, role: Role) -> models.QuerySet[User]:
        return self.filter(is_active=True, role=role)


class User(AbstractUser):
    """A staff account. Tipsters never have one."""

    role = models.CharField(max_length=20, choices=Role.choices)
    # Liaisons belong to exactly one partner organization; task-force staff to none.
    organization = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Tip alerts go to staff marked on call (urgent tips, handoff service-level alerts).
    on_call = models.BooleanField(default=False)
    # The language of the staff pages; blank follows the browser's Accept-Language among the
    # portal's languages (portal.middleware.StaffLanguageMiddleware). Public pages ignore it.
    language = models.CharField(max_length=10, blank=True, default="", choices=settings.LANGUAGES)

    objects: ClassVar[StaffManager] = StaffManager()

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_liaison_has_organization",
                condition=(Q(role__in=sorted(ORGANIZATION_ROLES)) & Q(organization__isnull=False))
                | (~Q(role__in=sorted(ORGANIZATION_ROLES)) & Q(organization__isnull=True)),
            ),
            models.CheckConstraint(name="user_role_known", condition=Q(role__in=Role.values)),
        ]

    def may(self, capability: str) -> bool:
        return self.is_active and role_may(self.role, capability)


class WorkerHeartbeat(models.Model):
    """Written by a periodic task: shows admins that background work actually runs."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    eager = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"heartbeat at {self.at:%Y-%m-%d %H:%M:%S}"


class OutboxJob(models.Model):
    """Work that must follow a committed change (a notification, a mail), recorded in the same
    transaction as the change so that no outage between the commit and the broker can lose it.

    `portal.outbox` writes and runs these rows: a nudge after commit, a sweeper for whatever the
    nudge did not deliver. The row names a Celery task and carries ids only, never content.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweeper may run it next: the grace after creation, then the back-off after a
    # failure.
    run_after = models.DateTimeField()
    # A runner holds the job until this time; a runner killed mid-job lets it go by itself.
    leased_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # an exception class name
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweeper's scan: pending jobs whose time has come.
            models.Index(
                fields=["run_after"],
                name="outbox_pending",
                condition=Q(done_at__isnull=True),
            ),
            # Pruning finished jobs.
            models.Index(fields=["created_at"], name="outbox_created"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
