"""What an action answers when it does not do what was asked: one family, each with its HTTP
status, raised by every app's `actions.py`.

These are outcomes shown to people ("someone else has this tip"), not programming errors. The
API maps them once (`portal.errors.api_exception_handler`: 400 naming `field`, 403, 409), and
pages once (`portal.pages.run_action`: a message on the page they came from).
"""

# ruff: noqa: N818 - outcomes, not errors: no Error suffix

from __future__ import annotations


class ActionError(Exception):
    """A conflict with the current state (HTTP 409), unless a subclass says otherwise."""

    status_code = 409

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the input it is about, named as the API and forms name it


class NotYours(ActionError):
    """The actor may not do this to this object (HTTP 403)."""

    status_code = 403


class Invalid(ActionError):
    """The input is not acceptable (HTTP 400)."""

    status_code = 400
