"""Running one action for a staff page and showing its outcome: the one place pages turn an
action's refusal (`portal.outcomes`) or a locked vault into a message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from portal import vault
from portal.outcomes import ActionError

LOCKED_MESSAGE = "Your vault is locked or lacks this desk's key: sign in again."


def run_action(request: HttpRequest, action: Callable[[], object], done: str) -> bool:
    """Run the action and show its outcome as a message; True when it was done."""
    try:
        action()
    except ActionError as outcome:
        messages.error(request, outcome.message)
        return False
    except (vault.Locked, vault.NoDeskAccess):
        messages.error(request, LOCKED_MESSAGE)
        return False
    messages.success(request, done)
    return True
