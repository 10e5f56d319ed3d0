"""Staff sign-in (password, then TOTP), enrollment, backup codes, password, sign-out."""

from __future__ import annotations

import base64
import binascii
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from audit.events import Action
from audit.record import record
from portal import vault
from portal.accounts import actions, signin
from portal.accounts.access import StaffRequest, public, staff_required
from portal.accounts.forms import (
    EnrollForm,
    LanguageForm,
    PasswordChangeForm,
    SecondFactorForm,
    SetPasswordForm,
    SignInForm,
)
from portal.accounts.models import TOTPDevice
from portal.middleware import browser_language
from portal.models import User
from portal.pages import run_action
from portal.roles import roles_with

PENDING_SECONDS = 300
PENDING_COOKIE = "vault-pending"


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get("pending_signin")
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def _next_url(request: HttpRequest) -> str:
    target = request.session.get("pending_signin", {}).get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:home")


@public
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username, password = form.cleaned_data["username"], form.cleaned_data["password"]
        try:
            user = signin.check_password(request, username, password)
            unlocked = vault.unlock(user, password)
        except signin.SignInError as exc:
            form.add_error(None, str(exc))
        except vault.WrongPassword:
            form.add_error(None, str(signin.GENERIC_FAILURE))
        else:
            # Password checked and personal key decrypted: keep it sealed until the second
            # factor succeeds. The server holds the ciphertext, the browser the key.
            sealed, key = vault.session.seal_personal_key(unlocked)
            request.session.cycle_key()
            request.session["pending_signin"] = {
                "user_id": user.pk,
                "at": time.time(),
                "next": request.GET.get("next", ""),
                "sealed": base64.b64encode(sealed).decode(),
            }
            step = "accounts:verify" if signin.has_authenticator(user) else "accounts:enroll"
            response = redirect(step)
            response.set_cookie(
                PENDING_COOKIE,
                base64.urlsafe_b64encode(key).decode(),
                max_age=PENDING_SECONDS,
                secure=settings.COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form},
        status=200 if form.is_valid() or request.method != "POST" else 400,
    )


def _pending_unlock(request: HttpRequest, user: User) -> vault.UnlockedKeys:
    """The personal key sealed at the password step; vault.Locked if its cookie is gone."""
    pending = request.session.get("pending_signin", {})
    try:
        key = base64.urlsafe_b64decode(request.COOKIES.get(PENDING_COOKIE, "").encode())
        sealed = base64.b64decode(pending.get("sealed", ""))
    except (binascii.Error, ValueError):
        raise vault.Locked from None
    return vault.session.open_personal_key(user, sealed, key)


def _complete_sign_in(
    request: HttpRequest,
    user: User,
    device: object,
    unlocked: vault.UnlockedKeys,
    response: HttpResponse,
) -> HttpResponse:
    """Second factor accepted: sign in, rotate the session, and only now unlock the vault."""
    request.session.pop("pending_signin", None)
    auth_login(request, user)  # new session key: no fixation
    otp_login(request, device)
    now = timezone.now().timestamp()
    request.session["signed_in_at"] = now
    request.session["last_seen"] = now
    # The first page after sign-in puts back what the browser kept of unsent forms.
    request.session["restore_drafts"] = True
    vault.session.start_unlocked_session(request, response, unlocked)
    response.delete_cookie(PENDING_COOKIE)
    request.session.save()
    actions.remember_session(user, request.session.session_key or "")
    signin.succeeded(user, channel="web")
    return response


@public
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("otp_token")
def verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.error(request, "Please sign in again.")
        return redirect("accounts:sign_in")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unlocked = _pending_unlock(request, user)
            device = signin.check_second_factor(user, form.cleaned_data["otp_token"])
            return _complete_sign_in(request, user, device, unlocked, redirect(_next_url(request)))
        except signin.SignInError as exc:
            form.add_error(None, str(exc))
        except vault.Locked:
            messages.error(request, "Please sign in again.")
            return redirect("accounts:sign_in")
    return render(
        request, "accounts/verify.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("otp_token")
def enroll(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up the authenticator app, then receive backup codes once."""
    user = _pending_user(request)
    if user is None or signin.has_authenticator(user):
        return redirect("accounts:sign_in")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = EnrollForm(request.POST or None)
    if device is None or request.method == "GET":
        uri = actions.do_start_enrollment(user)
        device = TOTPDevice.objects.get(user=user)
    else:
        uri = device.config_url(settings.OTP_ISSUER)
    if request.method == "POST" and form.is_valid():
        try:
            unlocked = _pending_unlock(request, user)  # before anything changes
        except vault.Locked:
            messages.error(request, "Please sign in again.")
            return redirect("accounts:sign_in")
        if actions.do_confirm_enrollment(device, form.cleaned_data["otp_token"]):
            codes = actions.do_issue_backup_codes(user)
            response = render(
                request, "accounts/backup_codes.html", {"codes": codes, "first_time": True}
            )
            return _complete_sign_in(request, user, device, unlocked, response)
        form.add_error(
            "otp_token", "That code did not match. Check the time on your phone and try again."
        )
    qr_data_uri = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    return render(
        request,
        "accounts/enroll.html",
        {"form": form, "qr_data_uri": qr_data_uri, "uri": uri},
        status=400 if form.errors else 200,
    )


@staff_required("accounts.own_profile")
@require_POST
def new_backup_codes(request: StaffRequest) -> HttpResponse:
    codes = actions.do_issue_backup_codes(request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": False})


@staff_required("accounts.own_profile")
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("old_password", "new_password")
def change_password(request: StaffRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            old_key = request.session.session_key
            actions.do_change_password(
                request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=old_key,
            )
        except vault.WrongPassword:
            form.add_error("old_password", "That is not your current password.")
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            # This session stays signed in (under a new key); every other one has ended.
            update_session_auth_hash(request, request.user)
            actions.remember_session(
                request.user, request.session.session_key or "", replaces=old_key
            )
            messages.success(request, "Your password was changed.")
            return redirect("accounts:home")
    return render(
        request, "accounts/change_password.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    response = redirect("accounts:sign_in")
    if request.user.is_authenticated:
        record(Action.LOGGED_OUT, actor=request.user, target=request.user)
    vault.session.end_unlocked_session(request, response)
    auth_logout(request)
    return response


@staff_required("accounts.own_profile")
def home(request: StaffRequest) -> HttpResponse:
    from triage.home import day_for  # noqa: PLC0415 - triage builds on accounts

    return render(
        request,
        "accounts/home.html",
        {
            "day": day_for(request.user),
            "now": timezone.now(),
            "language_form": LanguageForm(initial={"language": request.user.language}),
        },
    )


@staff_required("accounts.own_profile")
@require_POST
def language(request: StaffRequest) -> HttpResponse:
    """The language of one's own staff pages (portal.middleware.StaffLanguageMiddleware)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("accounts:home")
    chosen = form.cleaned_data["language"]
    # Said in the language the next page is in.
    with translation.override(chosen or browser_language(request)):
        done = _("The staff pages now use the language you chose.")
    run_action(
        request,
        lambda: actions.do_set_language(request.user, language=chosen, acting_user=request.user),
        done,
    )
    return redirect("accounts:home")


@public
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password", "password_again")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = actions.find_invitation(token)
    except actions.InvalidInvitationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"message": str(exc)}, status=404
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_accept_invitation(token, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error("password", exc)
        except actions.InvalidInvitationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Your password is set. Sign in to set up your authenticator app."
            )
            return redirect("accounts:sign_in")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )


@staff_required("accounts.on_call")
@require_http_methods(["GET", "HEAD", "POST"])
def on_call(request: StaffRequest) -> HttpResponse:
    """The on-call rota and alert addresses, kept by supervisors (not the Django admin)."""
    people = User.objects.filter(
        role__in=[*roles_with("alerts.urgent_tip"), *roles_with("alerts.handoff_waiting")],
        is_active=True,
    ).order_by("role", "username")
    if request.method == "POST":
        member = people.filter(username=request.POST.get("username", "")[:150]).first()
        if member is None:
            messages.error(request, "Choose a member of the rota.")
        else:
            run_action(
                request,
                lambda: actions.do_set_on_call(
                    member,
                    on_call=request.POST.get("on_call") == "1",
                    email=request.POST.get("email", "")[:254],
                    acting_user=request.user,
                ),
                f"Saved {member.username}'s alerts.",
            )
        return redirect("accounts:on_call")
    return render(request, "accounts/on_call.html", {"people": people})
