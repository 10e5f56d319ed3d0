"""Public pages: the tip form, the "I need help" door, and follow-up with a receipt.

No page sets a cookie that outlives the browser session (the CSRF cookie is session-only, and
none of these views touches the session), the receipt is shown in the response to the POST that
stored the tip — at the same URL, never in a link — and nothing here logs who asked.

The forms work with cookies blocked: a post is accepted when the browser's Origin header says
it came from this site's own pages (the check OWASP recommends, which every current browser
supports); only a browser that sends no Origin falls back to Django's cookie-and-token check. A
post that fails either check gets its form back with everything typed (`csrf_failure`), never
Django's bare page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.forms import Form
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from portal import errors
from portal.accounts.access import public
from portal.indexing import indexable
from portal.vault import InvalidReceipt
from tips import actions, followup, throttle
from tips.forms import HelpForm, ReceiptForm, ReplyForm, TipForm, new_submission_token

RATE_LIMITED = 429
FORBIDDEN = 403
SEE_OTHER = 303

type View = Callable[[HttpRequest], HttpResponse]


def _origin_is_ours(request: HttpRequest, origin: str) -> bool:
    scheme = "https" if request.is_secure() else "http"
    if origin == f"{scheme}://{request.get_host()}":
        return True
    return origin in settings.CSRF_TRUSTED_ORIGINS and bool(urlsplit(origin).netloc)


def same_origin_post(view: View) -> View:
    """CSRF protection that needs no cookie: the Origin header must be this site's."""

    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and not getattr(request, "_dont_enforce_csrf_checks", False):
            origin = request.headers.get("Origin")
            if origin is None:
                refused = CsrfViewMiddleware(view).process_view(request, view, (), {})
                if refused is not None:
                    return refused
            elif not _origin_is_ours(request, origin):
                return csrf_failure(request, "Origin checking failed")
        return view(request)

    return checked


def _refilled[F: Form](form: F) -> F:
    """The form bound to what was typed but not checked: the post was refused before any
    answer was looked at, so no answer is marked wrong."""
    # A bound form with no validation run: its `errors` stay empty.
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}
    return form


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a public form comes back with everything typed and a plain note; any
    other page gets the site's own error page in the page's language, in the staff frame for a
    signed-in member (`portal.errors.error_page`)."""
    try:
        name = resolve(request.path_info).url_name
    except Resolver404:
        name = None
    context: dict[str, object] = {"csrf_failed": True, "files_chosen": bool(request.FILES)}
    if name == "tip":
        context["form"] = _refilled(TipForm(request.POST, initial=_fresh_token()))
        return render(request, "tips/tip_form.html", context, status=FORBIDDEN)
    if name == "help":
        context["form"] = _refilled(HelpForm(request.POST, initial=_fresh_token()))
        context["drop_in"] = _drop_in()
        return render(request, "tips/help_form.html", context, status=FORBIDDEN)
    if name == "follow-up":
        context["form"] = _refilled(ReceiptForm(request.POST))
        return render(request, "tips/follow_up.html", context, status=FORBIDDEN)
    if name == "follow-up-reply":
        # The thread needs the receipt checked, which a refused post must not do: the reply
        # comes back in a plain box with the receipt field, to send again.
        context["form"] = _refilled(ReceiptForm(request.POST))
        context["reply_form"] = _refilled(ReplyForm(request.POST))
        return render(request, "tips/follow_up.html", context, status=FORBIDDEN)
    message = _(
        "This page could not be sent. Your browser may have blocked a cookie, or the page was "
        "open for a long time. Please go back, reload the page and try again."
    )
    return errors.error_page(request, FORBIDDEN, message)


def _language() -> str:
    return "es" if translation.get_language() == "es" else "en"


def _fresh_token() -> dict[str, str]:
    return {"submission_token": new_submission_token()}


def _drop_in() -> dict[str, str]:
    """The partner drop-in center from settings, with its number as a tel: address."""
    center = dict(settings.DROP_IN_CENTER)
    center["tel"] = "".join(
        char for char in center.get("phone", "") if char.isdigit() or char == "+"
    )
    return center


def _submit(
    request: HttpRequest, form: TipForm | HelpForm, template: str, *, files_chosen: bool
) -> HttpResponse:
    """Shared by both doors: rate limit, validate, store, then show the receipt once."""
    context = {"form": form, "files_chosen": files_chosen, "drop_in": _drop_in()}
    if not throttle.hit(request, throttle.SUBMISSIONS):
        context["rate_limited"] = True
        return render(request, template, context, status=RATE_LIMITED)
    if not form.is_valid():
        return render(request, template, context, status=400)
    # The one-time token: a double click, a reload or a resend after a lost response stores
    # nothing more and shows the first receipt again.
    token = form.cleaned_data.get("submission_token", "")
    submission = form.submission(_language())
    try:
        submitted = actions.do_submit_tip(submission, retry_key=token, same_submission_only=True)
    except actions.RetryMismatch:
        # Back, an edit, send again: a report with something new is a new report.
        submitted = actions.do_submit_tip(submission)
    return render(request, "tips/received.html", _receipt_context(request, submitted), status=201)


def _receipt_context(request: HttpRequest, submitted: actions.SubmittedTip) -> dict[str, object]:
    receipt = submitted.receipt
    # The saved file says only the code and where to use it: a plain note, named "note.txt".
    where = request.build_absolute_uri(reverse("follow-up"))
    note = _("Code: %(receipt)s\nCheck on it at: %(where)s\n") % {
        "receipt": receipt,
        "where": where,
    }
    return {
        "receipt": receipt,
        "receipt_file": note,
        "tip": submitted.tip,
    }


@public
@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
@indexable
def tip_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "tips/tip_form.html", {"form": TipForm(initial=_fresh_token())})
    form = TipForm(request.POST, request.FILES)
    return _submit(
        request, form, "tips/tip_form.html", files_chosen=bool(request.FILES.getlist("attachments"))
    )


@public
@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
@indexable
def help_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        context = {"form": HelpForm(initial=_fresh_token()), "drop_in": _drop_in()}
        return render(request, "tips/help_form.html", context)
    return _submit(request, HelpForm(request.POST), "tips/help_form.html", files_chosen=False)


@public
@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # `?added=1`: where a reply lands after it was stored (post/redirect/get).
        added = request.GET.get("added") == "1"
        return render(request, "tips/follow_up.html", {"form": ReceiptForm(), "added": added})
    form = ReceiptForm(request.POST)
    if not throttle.hit(request, throttle.FOLLOW_UPS):
        return render(
            request,
            "tips/follow_up.html",
            {"form": form, "rate_limited": True},
            status=RATE_LIMITED,
        )
    if not form.is_valid():
        return render(request, "tips/follow_up.html", {"form": form}, status=400)
    receipt = form.cleaned_data["receipt"]
    try:
        thread = followup.read_thread(receipt)
    except InvalidReceipt:
        form.add_error(
            "receipt", _("A receipt code has 20 letters and digits, like ABCDE-FGHJK-MNPQR-STVWX.")
        )
        return render(request, "tips/follow_up.html", {"form": form}, status=400)
    if thread is None:
        form.add_error("receipt", _("No report matches this code. Please check it and try again."))
        return render(request, "tips/follow_up.html", {"form": form}, status=404)
    return _thread_page(request, receipt, thread)


def _thread_page(
    request: HttpRequest,
    receipt: str,
    thread: followup.Thread,
    reply: ReplyForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "thread": thread,
        "reply_form": reply or ReplyForm(initial={"receipt": receipt}),
        "files_chosen": bool(request.FILES.getlist("attachments")),
    }
    return render(request, "tips/thread.html", context, status=status)


def _receipt_page(request: HttpRequest, status: int, **context: object) -> HttpResponse:
    return render(request, "tips/follow_up.html", {"form": ReceiptForm(), **context}, status=status)


@public
@same_origin_post
@require_POST
def follow_up_reply(request: HttpRequest) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES)
    if not throttle.hit(request, throttle.FOLLOW_UPS):
        return _receipt_page(request, RATE_LIMITED, rate_limited=True)
    receipt = form.data.get("receipt", "")
    valid = form.is_valid()
    try:
        added = (
            valid
            and followup.add_information(
                receipt, form.cleaned_data["body"], form.cleaned_attachments
            )
            is not None
        )
        thread = followup.read_thread(receipt)
    except InvalidReceipt:
        return _receipt_page(request, 400)
    if thread is None:
        return _receipt_page(request, 404)
    if not added:
        return _thread_page(request, receipt, thread, form, status=400)
    # Post/redirect/get: reloading the next page repeats nothing. The receipt stays out of the
    # address, so the tipster types it again to read the thread.
    return HttpResponseRedirect(f"{reverse('follow-up')}?added=1", status=SEE_OTHER)
