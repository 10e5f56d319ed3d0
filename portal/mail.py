"""Staff notifications by mail: content-free messages, sent after the change that calls for them.

A mail is never sent inside a transaction: the action that decides to notify records the audit
entry and an outbox job (`enqueue_staff_mail`) in its transaction, and the job sends the mail
after commit, with the mailer's timeout (`EMAIL_TIMEOUT`), retried with back-off by the outbox.
So a slow or hung mail server delays nobody's submission or staff action.

Each kind of message is a fixed text: no tip content, no code, nothing about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

import audit
from portal import outbox

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portal.models import User


@dataclass(frozen=True)
class Notice:
    subject: Promise
    body: Promise


NOTICES = {
    "urgent_tip": Notice(
        _("Urgent tip waiting in the triage queue"),
        _(
            "An urgent tip arrived and is waiting to be claimed. Sign in to the triage queue to "
            "see it. This message never contains tip content."
        ),
    ),
    "urgent_escalated": Notice(
        _("Urgent tip not claimed in time"),
        _(
            "An urgent tip has waited past its service-level time without being claimed. Sign "
            "in to the triage queue. This message never contains tip content."
        ),
    ),
    "handoff_waiting": Notice(
        _("A handoff is waiting for your organization"),
        _(
            "A victim-service handoff has waited past its service-level time. Sign in to see "
            "it. This message never contains anything about the person."
        ),
    ),
    "handoff_not_accepted": Notice(
        _("Your handoff has not been accepted yet"),
        _(
            "A victim-service handoff has waited past its service-level time. Sign in to see "
            "it. This message never contains anything about the person."
        ),
    ),
    "purge_warning": Notice(
        _("A tip will be purged soon under the retention policy"),
        _(
            "A tip you hold, or an unassigned tip, reaches the end of its retention period soon. "
            "Sign in to review it if it is still needed. This message never contains tip "
            "content."
        ),
    ),
}


def alert_staff(
    kind: str, people: QuerySet[User], *, action: int, target: Any, **details: Any
) -> int:
    """Inside the caller's transaction: tell these people (those active with an address) with
    the content-free notice `kind`, after commit, and audit it as `action` with how many were
    told; returns that count."""
    recipients = list(people.filter(is_active=True).exclude(email="").values_list("pk", flat=True))
    audit.record(action, actor="system", target=target, recipients=len(recipients), **details)
    enqueue_staff_mail(kind, recipients)
    return len(recipients)


def enqueue_staff_mail(kind: str, user_ids: list[int]) -> None:
    """Inside the caller's transaction: mail `kind` to these staff members after commit."""
    if kind not in NOTICES:
        raise ValueError(f"unknown notice {kind!r}")
    if user_ids:
        outbox.enqueue("portal.tasks.send_staff_mail", kind, *user_ids)


def send_staff_mail(kind: str, user_ids: list[int]) -> int:
    """Send the notice to those of these accounts still active with an address; returns how
    many addresses it went to. Raises the mailer's error (OSError, SMTPException) to be retried.
    """
    notice = NOTICES[kind]
    recipients = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        send_mail(
            subject=str(notice.subject),
            message=str(notice.body),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    return len(recipients)
