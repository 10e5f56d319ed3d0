"""Public pages: the tip form, the "I need help" door, and follow-up with a receipt.

No page sets a cookie that outlives the browser session (the CSRF cookie is session-only, and
none of these views touches the session), the receipt is shown in the response to the POST that
stored the tip — at the same URL, never in a link — and nothing here logs who asked.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.access import public
from portal.indexing import indexable
from portal.vault import InvalidReceipt
from tips import actions, followup, throttle
from tips.forms import HelpForm, ReceiptForm, ReplyForm, TipForm, new_submission_token

RATE_LIMITED = 429


def _language() -> str:
    return "es" if translation.get_language() == "es" else "en"


def _fresh_token() -> dict[str, str]:
    return {"submission_token": new_submission_token()}


def _submit(
    request: HttpRequest, form: TipForm | HelpForm, template: str, *, files_chosen: bool
) -> HttpResponse:
    """Shared by both doors: rate limit, validate, store, then show the receipt once."""
    context = {"form": form, "files_chosen": files_chosen}
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
    return render(
        request,
        "tips/received.html",
        {"receipt": submitted.receipt, "tip": submitted.tip},
        status=201,
    )


@public
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
@require_http_methods(["GET", "HEAD", "POST"])
@indexable
def help_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "tips/help_form.html", {"form": HelpForm(initial=_fresh_token())})
    return _submit(request, HelpForm(request.POST), "tips/help_form.html", files_chosen=False)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "tips/follow_up.html", {"form": ReceiptForm()})
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
    added: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "tips/thread.html",
        {
            "thread": thread,
            "reply_form": reply or ReplyForm(initial={"receipt": receipt}),
            "added": added,
        },
        status=status,
    )


def _receipt_page(request: HttpRequest, status: int, **context: object) -> HttpResponse:
    return render(request, "tips/follow_up.html", {"form": ReceiptForm(), **context}, status=status)


@public
@require_POST
def follow_up_reply(request: HttpRequest) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not throttle.hit(request, throttle.FOLLOW_UPS):
        return _receipt_page(request, RATE_LIMITED, rate_limited=True)
    receipt = form.data.get("receipt", "")
    valid = form.is_valid()
    try:
        added = valid and followup.add_information(receipt, form.cleaned_data["body"]) is not None
        thread = followup.read_thread(receipt)
    except InvalidReceipt:
        return _receipt_page(request, 400)
    if thread is None:
        return _receipt_page(request, 404)
    if not added:
        return _thread_page(request, receipt, thread, form, status=400)
    return _thread_page(request, receipt, thread, added=True)
