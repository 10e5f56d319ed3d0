from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

from portal.roles import CAPABILITIES


def public_page(request: HttpRequest) -> dict[str, object]:
    """Language links for the current page (plain links, so switching sets no cookie), each
    named in its own language ("English", "Español"), as a reader of that language looks for it."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    links = [
        {
            "code": code,
            "name": own_name(code),
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"language_links": links, "quick_exit_url": settings.QUICK_EXIT_URL}


def own_name(code: str) -> str:
    """A language as its own readers name it ("English", "Español")."""
    name = str(get_language_info(code)["name_local"])
    return name[:1].upper() + name[1:]


def capabilities(request: HttpRequest) -> dict[str, object]:
    """`may`: what the signed-in member may do (`{% if "triage.reopen" in may %}`), from the
    capability table, so templates never compare roles. Empty for anyone else."""

    def granted() -> frozenset[str]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return frozenset()
        return CAPABILITIES.get(user.role, frozenset())

    return {"may": SimpleLazyObject(granted)}


def staff_session(request: HttpRequest) -> dict[str, object]:
    """For the staff frame: the idle timeout the staff script warns before, whether drafts kept
    in the browser go back into their fields (the first page after a sign-in), and text kept
    without JavaScript from a form posted after the session ended (portal.accounts.kept)."""
    session = getattr(request, "session", None)
    restore = bool(session is not None and session.get("restore_drafts"))
    if restore and session is not None:
        del session["restore_drafts"]

    def pending_reveals() -> int:
        # Asked only when the navigation shows it, for members who decide reveals.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.may("triage.approve_reveal"):
            return 0
        from triage.models import ContactReveal  # noqa: PLC0415 - apps load after settings

        return (
            ContactReveal.objects.filter(status=ContactReveal.Status.PENDING, tip__purged_at=None)
            .exclude(requested_by=user)
            .count()
        )

    return {
        "pending_reveal_count": SimpleLazyObject(pending_reveals),
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "restore_drafts": restore,
        "kept_form": getattr(request, "kept_form", None),
    }
