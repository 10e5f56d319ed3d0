"""Every URL, every persona: who gets in, who is refused, and nobody forgotten.

Each route is listed once with its rule; the expected status for every persona follows from
the rule and `portal.roles`. A route missing from ROUTES, or a view that declares no rule,
fails `test_it_covers_every_route`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.accounts.access import PUBLIC
from portal.models import User
from portal.roles import role_may
from tests import factories
from tests.staff import sign_in

PERSONAS = ["anonymous", "unverified", "investigator", "supervisor", "liaison", "admin"]

# (route as declared, concrete path, method, rule, status when allowed)
ROUTES: list[tuple[str, str, str, str, int]] = [
    ("healthz/", "/healthz/", "get", PUBLIC, 200),
    # With a broker configured no worker beats in the test database: degraded, 503.
    ("readyz/", "/readyz/", "get", PUBLIC, 200 if settings.CELERY_TASK_ALWAYS_EAGER else 503),
    ("robots.txt", "/robots.txt", "get", PUBLIC, 200),
    ("favicon.ico", "/favicon.ico", "get", PUBLIC, 301),
    ("api/schema/", "/api/schema/", "get", PUBLIC, 200),
    ("api/docs/", "/api/docs/", "get", PUBLIC, 200),
    ("", "/", "get", PUBLIC, 200),
    ("staff/", "/staff/", "get", "accounts.own_profile", 200),
    ("staff/login/", "/staff/login/", "get", PUBLIC, 200),
    ("staff/login/verify/", "/staff/login/verify/", "get", PUBLIC, 302),
    ("staff/login/enroll/", "/staff/login/enroll/", "get", PUBLIC, 302),
    ("staff/logout/", "/staff/logout/", "post", PUBLIC, 302),
    ("staff/password/", "/staff/password/", "get", "accounts.own_profile", 200),
    ("staff/backup-codes/", "/staff/backup-codes/", "post", "accounts.own_profile", 200),
    ("staff/language/", "/staff/language/", "post", "accounts.own_profile", 302),
    ("staff/invitation/<str:token>/", "/staff/invitation/not-a-token/", "get", PUBLIC, 404),
    ("staff/accounts/", "/staff/accounts/", "get", "accounts.manage", 200),
    ("staff/health/", "/staff/health/", "get", "system.health", 200),
    ("staff/on-call/", "/staff/on-call/", "get", "accounts.on_call", 200),
    ("staff/on-call/", "/staff/on-call/", "post", "accounts.on_call", 302),
    ("staff/desks/", "/staff/desks/", "get", "vault.grant_desk", 200),
    ("staff/desks/<slug:slug>/grant/", "/staff/desks/triage/grant/", "post", "vault.grant_desk",
     302),
    ("staff/desks/<slug:slug>/revoke/<str:username>/", "/staff/desks/triage/revoke/target-user/",
     "post", "vault.grant_desk", 302),
    ("staff/accounts/<str:username>/disable/", "/staff/accounts/target-user/disable/", "post",
     "accounts.manage", 302),
    ("staff/accounts/<str:username>/enable/", "/staff/accounts/target-user/enable/", "post",
     "accounts.manage", 302),
    ("staff/accounts/<str:username>/reset-2fa/", "/staff/accounts/target-user/reset-2fa/",
     "post", "accounts.manage", 302),
    ("api/v1/auth/login/", "/api/v1/auth/login/", "post", PUBLIC, 400),
    ("api/v1/auth/logout/", "/api/v1/auth/logout/", "post", "accounts.own_profile", 204),
    ("api/v1/auth/me/", "/api/v1/auth/me/", "get", "accounts.own_profile", 200),
    ("audit/", "/audit/", "get", "audit.view", 200),
    ("audit/verify/", "/audit/verify/", "get", "audit.view", 200),
    ("api/v1/audit/events/", "/api/v1/audit/events/", "get", "audit.view", 200),
    ("api/v1/audit/verify/", "/api/v1/audit/verify/", "get", "audit.view", 200),
    ("handoffs/", "/handoffs/", "get", "handoffs.view", 200),
    ("handoffs/statistics/", "/handoffs/statistics/", "get", "statistics.handoffs", 200),
    ("handoffs/statistics/export.csv", "/handoffs/statistics/export.csv", "get",
     "statistics.handoffs", 200),
    ("triage/statistics/", "/triage/statistics/", "get", "triage.statistics", 200),
    ("triage/statistics/export.csv", "/triage/statistics/export.csv", "get", "triage.statistics",
     200),
    ("api/v1/statistics/", "/api/v1/statistics/", "get", "statistics.handoffs", 200),
    ("api/v1/handoffs/", "/api/v1/handoffs/", "get", "handoffs.view", 200),
    ("tip/", "/tip/", "get", PUBLIC, 200),
    ("help/", "/help/", "get", PUBLIC, 200),
    ("follow-up/", "/follow-up/", "get", PUBLIC, 200),
    ("follow-up/reply/", "/follow-up/reply/", "post", PUBLIC, 400),
    ("api/v1/tips/", "/api/v1/tips/", "post", PUBLIC, 400),
    ("api/v1/areas/", "/api/v1/areas/", "get", PUBLIC, 200),
    ("api/v1/follow-up/", "/api/v1/follow-up/", "post", PUBLIC, 400),
    ("api/v1/follow-up/messages/", "/api/v1/follow-up/messages/", "post", PUBLIC, 400),
    ("triage/", "/triage/", "get", "triage.view_queue", 200),
    ("triage/tips/bulk/", "/triage/tips/bulk/", "post", "triage.view_queue", 302),
    # An empty form: the name is missing, the form comes back.
    ("triage/saved-views/", "/triage/saved-views/", "post", "triage.saved_filters", 400),
    ("triage/reveals/", "/triage/reveals/", "get", "triage.approve_reveal", 200),
    ("triage/retention/", "/triage/retention/", "get", "retention.policy", 200),
    ("api/v1/triage/tips/", "/api/v1/triage/tips/", "get", "triage.view_queue", 200),
    ("api/v1/triage/tips/bulk/", "/api/v1/triage/tips/bulk/", "post", "triage.view_queue", 400),
]  # fmt: skip

# Routes that name an object: the id names nothing, so whoever gets in gets 404 (or 400/302
# when the body is checked first).
ID = "00000000-0000-4000-8000-000000000000"
OBJECT_ROUTES: list[tuple[str, str, str, str, int]] = [
    (
        "triage/reveals/<uuid:code>/approve/",
        "/triage/reveals/{ID}/approve/",
        "post",
        "triage.approve_reveal",
        404,
    ),
    (
        "triage/reveals/<uuid:code>/deny/",
        "/triage/reveals/{ID}/deny/",
        "post",
        "triage.approve_reveal",
        404,
    ),
    (
        "triage/saved-views/<uuid:code>/delete/",
        "/triage/saved-views/{ID}/delete/",
        "post",
        "triage.saved_filters",
        404,
    ),
    ("triage/tips/<uuid:code>/", "/triage/tips/{ID}/", "get", "triage.view_tip", 404),
    ("triage/tips/<uuid:code>/claim/", "/triage/tips/{ID}/claim/", "post", "triage.claim", 404),
    (
        "triage/tips/<uuid:code>/review/",
        "/triage/tips/{ID}/review/",
        "post",
        "retention.review",
        404,
    ),
    ("triage/tips/<uuid:code>/hold/", "/triage/tips/{ID}/hold/", "post", "retention.hold", 404),
    # The body is checked before the tip is looked up: an empty one is a 400.
    (
        "api/v1/triage/tips/<uuid:code>/review/",
        "/api/v1/triage/tips/{ID}/review/",
        "post",
        "retention.review",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/hold/",
        "/api/v1/triage/tips/{ID}/hold/",
        "post",
        "retention.hold",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/hold/",
        "/api/v1/triage/tips/{ID}/hold/",
        "delete",
        "retention.hold",
        400,
    ),
    ("triage/tips/<uuid:code>/release/", "/triage/tips/{ID}/release/", "post", "triage.claim", 404),
    ("triage/tips/<uuid:code>/assign/", "/triage/tips/{ID}/assign/", "post", "triage.assign", 302),
    (
        "triage/tips/<uuid:code>/transition/",
        "/triage/tips/{ID}/transition/",
        "post",
        "triage.transition",
        404,
    ),
    (
        "triage/tips/<uuid:code>/categorize/",
        "/triage/tips/{ID}/categorize/",
        "post",
        "triage.categorize",
        404,
    ),
    (
        "triage/tips/<uuid:code>/prioritize/",
        "/triage/tips/{ID}/prioritize/",
        "post",
        "triage.prioritize",
        404,
    ),
    ("triage/tips/<uuid:code>/notes/", "/triage/tips/{ID}/notes/", "post", "triage.note", 404),
    (
        "triage/tips/<uuid:code>/messages/",
        "/triage/tips/{ID}/messages/",
        "post",
        "triage.message_tipster",
        404,
    ),
    ("triage/tips/<uuid:code>/links/", "/triage/tips/{ID}/links/", "post", "triage.link", 302),
    (
        "triage/tips/<uuid:code>/reveals/",
        "/triage/tips/{ID}/reveals/",
        "post",
        "triage.reveal_contact",
        404,
    ),
    (
        "triage/tips/<uuid:code>/contact/",
        "/triage/tips/{ID}/contact/",
        "get",
        "triage.reveal_contact",
        404,
    ),
    (
        "triage/tips/<uuid:code>/minor-reports/",
        "/triage/tips/{ID}/minor-reports/",
        "post",
        "triage.transition",
        404,
    ),
    (
        "triage/tips/<uuid:code>/minor-summary/",
        "/triage/tips/{ID}/minor-summary/",
        "get",
        "triage.view_tip",
        404,
    ),
    (
        "triage/tips/<uuid:code>/referrals/",
        "/triage/tips/{ID}/referrals/",
        "post",
        "triage.refer",
        404,
    ),
    (
        "triage/tips/<uuid:code>/links/<uuid:other>/unlink/",
        "/triage/tips/{ID}/links/{ID}/unlink/",
        "post",
        "triage.link",
        404,
    ),
    (
        "triage/tips/<uuid:code>/referrals/<uuid:referral>/",
        "/triage/tips/{ID}/referrals/{ID}/",
        "get",
        "triage.refer",
        404,
    ),
    (
        "triage/tips/<uuid:code>/attachments/<uuid:attachment>/",
        "/triage/tips/{ID}/attachments/{ID}/",
        "get",
        "triage.view_tip",
        404,
    ),
    (
        "triage/tips/<uuid:code>/attachments/<uuid:attachment>/preview/",
        "/triage/tips/{ID}/attachments/{ID}/preview/",
        "get",
        "triage.view_tip",
        404,
    ),
    ("api/v1/triage/tips/<uuid:code>/", "/api/v1/triage/tips/{ID}/", "get", "triage.view_tip", 404),
    (
        "api/v1/triage/tips/<uuid:code>/claim/",
        "/api/v1/triage/tips/{ID}/claim/",
        "post",
        "triage.claim",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/release/",
        "/api/v1/triage/tips/{ID}/release/",
        "post",
        "triage.claim",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/assign/",
        "/api/v1/triage/tips/{ID}/assign/",
        "post",
        "triage.assign",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/transition/",
        "/api/v1/triage/tips/{ID}/transition/",
        "post",
        "triage.transition",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/notes/",
        "/api/v1/triage/tips/{ID}/notes/",
        "get",
        "triage.note",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/messages/",
        "/api/v1/triage/tips/{ID}/messages/",
        "get",
        "triage.message_tipster",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/related/",
        "/api/v1/triage/tips/{ID}/related/",
        "get",
        "triage.view_tip",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/links/",
        "/api/v1/triage/tips/{ID}/links/",
        "post",
        "triage.link",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/links/<uuid:other>/",
        "/api/v1/triage/tips/{ID}/links/{ID}/",
        "delete",
        "triage.link",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/attachments/",
        "/api/v1/triage/tips/{ID}/attachments/",
        "get",
        "triage.view_tip",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/attachments/<uuid:attachment>/",
        "/api/v1/triage/tips/{ID}/attachments/{ID}/",
        "get",
        "triage.view_tip",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/reveals/",
        "/api/v1/triage/tips/{ID}/reveals/",
        "post",
        "triage.reveal_contact",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/contact/",
        "/api/v1/triage/tips/{ID}/contact/",
        "get",
        "triage.reveal_contact",
        404,
    ),
    (
        "api/v1/triage/reveals/<uuid:reveal>/approve/",
        "/api/v1/triage/reveals/{ID}/approve/",
        "post",
        "triage.approve_reveal",
        404,
    ),
    (
        "api/v1/triage/reveals/<uuid:reveal>/deny/",
        "/api/v1/triage/reveals/{ID}/deny/",
        "post",
        "triage.approve_reveal",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/minor-reports/",
        "/api/v1/triage/tips/{ID}/minor-reports/",
        "post",
        "triage.transition",
        400,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/referrals/",
        "/api/v1/triage/tips/{ID}/referrals/",
        "post",
        "triage.refer",
        400,
    ),
    ("handoffs/new/<uuid:tip>/", "/handoffs/new/{ID}/", "get", "triage.create_handoff", 404),
    ("handoffs/<uuid:code>/", "/handoffs/{ID}/", "get", "handoffs.view", 404),
    ("handoffs/<uuid:code>/accept/", "/handoffs/{ID}/accept/", "post", "handoffs.respond", 404),
    ("handoffs/<uuid:code>/decline/", "/handoffs/{ID}/decline/", "post", "handoffs.respond", 404),
    (
        "handoffs/<uuid:code>/contact-attempts/",
        "/handoffs/{ID}/contact-attempts/",
        "post",
        "handoffs.respond",
        404,
    ),
    ("handoffs/<uuid:code>/outcome/", "/handoffs/{ID}/outcome/", "post", "handoffs.respond", 404),
    ("handoffs/<uuid:code>/notes/", "/handoffs/{ID}/notes/", "post", "handoffs.respond", 404),
    (
        "handoffs/<uuid:code>/revoke-consent/",
        "/handoffs/{ID}/revoke-consent/",
        "post",
        "handoffs.view",
        404,
    ),
    (
        "api/v1/triage/tips/<uuid:code>/handoffs/",
        "/api/v1/triage/tips/{ID}/handoffs/",
        "get",
        "triage.view_handoffs",
        404,
    ),
    ("api/v1/handoffs/<uuid:code>/", "/api/v1/handoffs/{ID}/", "get", "handoffs.view", 404),
    (
        "api/v1/handoffs/<uuid:code>/accept/",
        "/api/v1/handoffs/{ID}/accept/",
        "post",
        "handoffs.respond",
        404,
    ),
    (
        "api/v1/handoffs/<uuid:code>/decline/",
        "/api/v1/handoffs/{ID}/decline/",
        "post",
        "handoffs.respond",
        400,
    ),
    (
        "api/v1/handoffs/<uuid:code>/outcome/",
        "/api/v1/handoffs/{ID}/outcome/",
        "post",
        "handoffs.respond",
        400,
    ),
    (
        "api/v1/handoffs/<uuid:code>/contact-attempts/",
        "/api/v1/handoffs/{ID}/contact-attempts/",
        "post",
        "handoffs.respond",
        400,
    ),
    (
        "api/v1/handoffs/<uuid:code>/revoke-consent/",
        "/api/v1/handoffs/{ID}/revoke-consent/",
        "post",
        "handoffs.view",
        404,
    ),
]
ROUTES += [(route, path.format(ID=ID), *rest) for route, path, *rest in OBJECT_ROUTES]

# Routes with their own gate, tested in their own modules.
EXEMPT_PREFIXES = ("django-admin/", "static/")


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern.callback))
    return found


def declared_rule(callback: object) -> str | None:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return getattr(view_class, "access_rule", None) or getattr(callback, "access_rule", None)


def expected_status(persona: str, method: str, path: str, rule: str, allowed: int) -> int:
    api = path.startswith("/api/")
    if rule == PUBLIC:
        return allowed
    if persona in ("anonymous", "unverified"):
        return 401 if api else 302
    return allowed if role_may(persona, rule) else 403


def test_it_covers_every_route() -> None:
    listed = {row[0] for row in ROUTES}
    for raw_route, callback in _walk(get_resolver().url_patterns):
        route = raw_route.removeprefix("^").removeprefix("en/")
        if route.startswith(EXEMPT_PREFIXES):
            continue
        assert route in listed, f"{route} has no row in the permission matrix"
        rule = declared_rule(callback)
        assert rule is not None, f"{route} declares no access rule"


@pytest.fixture
def persona_client(make_staff):
    from portal import vault

    vault.initialize()
    make_staff("target-user", "investigator")

    def make(persona: str) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        if persona == "unverified":
            client.force_login(make_staff("half-signed-in", "investigator"))
            return client
        return sign_in(client, make_staff(f"{persona}-persona", persona))

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("route", "path", "method", "rule", "allowed"), ROUTES)
def test_it_enforces_the_rule(  # noqa: PLR0917 - one argument per matrix column
    persona_client, persona, route, path, method, rule, allowed
) -> None:
    client = persona_client(persona)
    if path.startswith("/api/") and method != "get":
        # The API's bodies are JSON (a form body is a 415 before anything else is read).
        response = getattr(client, method)(path, {}, "application/json")
    else:
        response = getattr(client, method)(path)
    assert response.status_code == expected_status(persona, method, path, rule, allowed), (
        persona,
        path,
    )


# --- Object scope: real objects ---------------------------------------------------------------
#
# The rows above prove the capability check. These prove the object check: someone who holds the
# route's capability asks for a real object outside their scope, and each route also has a row
# where someone in scope is served, so the object exists and the refusal is about scope.
#
# What the design answers (triage/access.py, handoffs/access.py, triage/actions.py):
# - another organization's handoff does not exist for a liaison: 404, pages and API alike;
# - an object under another tip (an attachment, a referral) is not found: 404;
# - a tip sealed to a desk whose key the reader lacks is visible but unreadable: 403;
# - a tip someone else holds is visible but not theirs to change: 403 in the API, and on the
#   pages back to the tip with the refusal shown (triage pages show outcomes, not raise them);
# - a claim someone else holds is a conflict: 409;
# - contact details open only under one's own approved reveal, and nobody approves their own.
#
# Who asks: `holder` (investigator, holds the tip), `colleague` (investigator on the triage
# desk), `deskless` (investigator without the triage desk key), `requester` (supervisor with a
# pending reveal of the tip), `approver` (another supervisor), `liaison` (org-a, whose handoffs
# these are) and `outsider` (org-b's liaison, on org-b's own desk).

DONE = (302, messages.SUCCESS)  # back to the page, the action done
REFUSED = (302, messages.ERROR)  # back to the page, the refusal shown, nothing done
Answer = int | tuple[int, int]

# (route as declared, method, path, who asks, answer)
SCOPED: list[tuple[str, str, str, str, Answer]] = [
    # Another organization's handoff: 404, as if it did not exist.
    ("handoffs/<uuid:code>/", "get", "/handoffs/{pending}/", "liaison", 200),
    ("handoffs/<uuid:code>/", "get", "/handoffs/{pending}/", "outsider", 404),
    ("handoffs/<uuid:code>/accept/", "post", "/handoffs/{pending}/accept/", "liaison", DONE),
    ("handoffs/<uuid:code>/accept/", "post", "/handoffs/{pending}/accept/", "outsider", 404),
    ("handoffs/<uuid:code>/decline/", "post", "/handoffs/{pending}/decline/", "liaison", DONE),
    ("handoffs/<uuid:code>/decline/", "post", "/handoffs/{pending}/decline/", "outsider", 404),
    ("handoffs/<uuid:code>/contact-attempts/", "post", "/handoffs/{accepted}/contact-attempts/",
     "liaison", DONE),
    ("handoffs/<uuid:code>/contact-attempts/", "post", "/handoffs/{accepted}/contact-attempts/",
     "outsider", 404),
    ("handoffs/<uuid:code>/outcome/", "post", "/handoffs/{accepted}/outcome/", "liaison", DONE),
    ("handoffs/<uuid:code>/outcome/", "post", "/handoffs/{accepted}/outcome/", "outsider", 404),
    ("handoffs/<uuid:code>/notes/", "post", "/handoffs/{accepted}/notes/", "liaison", DONE),
    ("handoffs/<uuid:code>/notes/", "post", "/handoffs/{accepted}/notes/", "outsider", 404),
    ("handoffs/<uuid:code>/revoke-consent/", "post", "/handoffs/{pending}/revoke-consent/",
     "liaison", DONE),
    ("handoffs/<uuid:code>/revoke-consent/", "post", "/handoffs/{pending}/revoke-consent/",
     "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/", "get", "/api/v1/handoffs/{pending}/", "liaison", 200),
    ("api/v1/handoffs/<uuid:code>/", "get", "/api/v1/handoffs/{pending}/", "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/accept/", "post", "/api/v1/handoffs/{pending}/accept/",
     "liaison", 200),
    ("api/v1/handoffs/<uuid:code>/accept/", "post", "/api/v1/handoffs/{pending}/accept/",
     "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/decline/", "post", "/api/v1/handoffs/{pending}/decline/",
     "liaison", 200),
    ("api/v1/handoffs/<uuid:code>/decline/", "post", "/api/v1/handoffs/{pending}/decline/",
     "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/outcome/", "post", "/api/v1/handoffs/{accepted}/outcome/",
     "liaison", 200),
    ("api/v1/handoffs/<uuid:code>/outcome/", "post", "/api/v1/handoffs/{accepted}/outcome/",
     "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/contact-attempts/", "post",
     "/api/v1/handoffs/{accepted}/contact-attempts/", "liaison", 201),
    ("api/v1/handoffs/<uuid:code>/contact-attempts/", "post",
     "/api/v1/handoffs/{accepted}/contact-attempts/", "outsider", 404),
    ("api/v1/handoffs/<uuid:code>/revoke-consent/", "post",
     "/api/v1/handoffs/{pending}/revoke-consent/", "liaison", 200),
    ("api/v1/handoffs/<uuid:code>/revoke-consent/", "post",
     "/api/v1/handoffs/{pending}/revoke-consent/", "outsider", 404),
    # A desk key the reader lacks: the tip and its handoffs are there, but sealed: 403.
    ("triage/tips/<uuid:code>/", "get", "/triage/tips/{tip}/", "colleague", 200),
    ("triage/tips/<uuid:code>/", "get", "/triage/tips/{tip}/", "deskless", 403),
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/triage/tips/{tip}/attachments/{attachment}/", "colleague", 200),
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/triage/tips/{tip}/attachments/{attachment}/", "deskless", 403),
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/preview/", "get",
     "/triage/tips/{tip}/attachments/{attachment}/preview/", "colleague", 200),
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/preview/", "get",
     "/triage/tips/{tip}/attachments/{attachment}/preview/", "deskless", 403),
    ("triage/tips/<uuid:code>/minor-summary/", "get", "/triage/tips/{tip}/minor-summary/",
     "colleague", 200),
    ("triage/tips/<uuid:code>/minor-summary/", "get", "/triage/tips/{tip}/minor-summary/",
     "deskless", 403),
    ("triage/tips/<uuid:code>/referrals/<uuid:referral>/", "get",
     "/triage/tips/{tip}/referrals/{referral}/", "colleague", 200),
    ("triage/tips/<uuid:code>/referrals/<uuid:referral>/", "get",
     "/triage/tips/{tip}/referrals/{referral}/", "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/", "get", "/api/v1/triage/tips/{tip}/", "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/", "get", "/api/v1/triage/tips/{tip}/", "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/attachments/", "get",
     "/api/v1/triage/tips/{tip}/attachments/", "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/attachments/", "get",
     "/api/v1/triage/tips/{tip}/attachments/", "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/api/v1/triage/tips/{tip}/attachments/{attachment}/", "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/api/v1/triage/tips/{tip}/attachments/{attachment}/", "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/notes/", "get", "/api/v1/triage/tips/{tip}/notes/",
     "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/notes/", "get", "/api/v1/triage/tips/{tip}/notes/",
     "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/messages/", "get", "/api/v1/triage/tips/{tip}/messages/",
     "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/messages/", "get", "/api/v1/triage/tips/{tip}/messages/",
     "deskless", 403),
    ("api/v1/triage/tips/<uuid:code>/related/", "get", "/api/v1/triage/tips/{tip}/related/",
     "colleague", 200),
    ("api/v1/triage/tips/<uuid:code>/related/", "get", "/api/v1/triage/tips/{tip}/related/",
     "deskless", 403),
    ("handoffs/<uuid:code>/", "get", "/handoffs/{pending}/", "colleague", 200),
    ("handoffs/<uuid:code>/", "get", "/handoffs/{pending}/", "deskless", 403),
    ("api/v1/handoffs/<uuid:code>/", "get", "/api/v1/handoffs/{pending}/", "colleague", 200),
    ("api/v1/handoffs/<uuid:code>/", "get", "/api/v1/handoffs/{pending}/", "deskless", 403),
    # Under another tip: the attachment or referral exists, but not here: 404.
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/triage/tips/{tip}/attachments/{other_attachment}/", "colleague", 404),
    ("triage/tips/<uuid:code>/attachments/<uuid:attachment>/preview/", "get",
     "/triage/tips/{tip}/attachments/{other_attachment}/preview/", "colleague", 404),
    ("api/v1/triage/tips/<uuid:code>/attachments/<uuid:attachment>/", "get",
     "/api/v1/triage/tips/{tip}/attachments/{other_attachment}/", "colleague", 404),
    ("triage/tips/<uuid:code>/referrals/<uuid:referral>/", "get",
     "/triage/tips/{tip}/referrals/{other_referral}/", "colleague", 404),
    # A tip someone else holds: theirs to change (or a supervisor's), not a colleague's.
    ("triage/tips/<uuid:code>/claim/", "post", "/triage/tips/{tip}/claim/", "holder", DONE),
    ("triage/tips/<uuid:code>/claim/", "post", "/triage/tips/{tip}/claim/", "colleague",
     REFUSED),
    ("triage/tips/<uuid:code>/release/", "post", "/triage/tips/{tip}/release/", "holder", DONE),
    ("triage/tips/<uuid:code>/release/", "post", "/triage/tips/{tip}/release/", "colleague",
     REFUSED),
    ("triage/tips/<uuid:code>/transition/", "post", "/triage/tips/{tip}/transition/", "holder",
     DONE),
    ("triage/tips/<uuid:code>/transition/", "post", "/triage/tips/{tip}/transition/",
     "colleague", REFUSED),
    ("triage/tips/<uuid:code>/categorize/", "post", "/triage/tips/{tip}/categorize/", "holder",
     DONE),
    ("triage/tips/<uuid:code>/categorize/", "post", "/triage/tips/{tip}/categorize/",
     "colleague", REFUSED),
    ("triage/tips/<uuid:code>/prioritize/", "post", "/triage/tips/{tip}/prioritize/", "holder",
     DONE),
    ("triage/tips/<uuid:code>/prioritize/", "post", "/triage/tips/{tip}/prioritize/",
     "colleague", REFUSED),
    ("triage/tips/<uuid:code>/reveals/", "post", "/triage/tips/{tip}/reveals/", "holder", DONE),
    ("triage/tips/<uuid:code>/reveals/", "post", "/triage/tips/{tip}/reveals/", "colleague",
     REFUSED),
    ("triage/tips/<uuid:code>/minor-reports/", "post", "/triage/tips/{tip}/minor-reports/",
     "holder", DONE),
    ("triage/tips/<uuid:code>/minor-reports/", "post", "/triage/tips/{tip}/minor-reports/",
     "colleague", REFUSED),
    ("triage/tips/<uuid:code>/referrals/", "post", "/triage/tips/{tip}/referrals/", "holder",
     DONE),
    ("triage/tips/<uuid:code>/referrals/", "post", "/triage/tips/{tip}/referrals/", "colleague",
     REFUSED),
    ("api/v1/triage/tips/<uuid:code>/", "patch", "/api/v1/triage/tips/{tip}/", "holder", 200),
    ("api/v1/triage/tips/<uuid:code>/", "patch", "/api/v1/triage/tips/{tip}/", "colleague", 403),
    ("api/v1/triage/tips/<uuid:code>/claim/", "post", "/api/v1/triage/tips/{tip}/claim/",
     "holder", 200),
    ("api/v1/triage/tips/<uuid:code>/claim/", "post", "/api/v1/triage/tips/{tip}/claim/",
     "colleague", 409),
    ("api/v1/triage/tips/<uuid:code>/release/", "post", "/api/v1/triage/tips/{tip}/release/",
     "holder", 200),
    ("api/v1/triage/tips/<uuid:code>/release/", "post", "/api/v1/triage/tips/{tip}/release/",
     "colleague", 403),
    ("api/v1/triage/tips/<uuid:code>/transition/", "post",
     "/api/v1/triage/tips/{tip}/transition/", "holder", 200),
    ("api/v1/triage/tips/<uuid:code>/transition/", "post",
     "/api/v1/triage/tips/{tip}/transition/", "colleague", 403),
    ("api/v1/triage/tips/<uuid:code>/reveals/", "post", "/api/v1/triage/tips/{tip}/reveals/",
     "holder", 201),
    ("api/v1/triage/tips/<uuid:code>/reveals/", "post", "/api/v1/triage/tips/{tip}/reveals/",
     "colleague", 403),
    ("api/v1/triage/tips/<uuid:code>/minor-reports/", "post",
     "/api/v1/triage/tips/{tip}/minor-reports/", "holder", 201),
    ("api/v1/triage/tips/<uuid:code>/minor-reports/", "post",
     "/api/v1/triage/tips/{tip}/minor-reports/", "colleague", 403),
    ("api/v1/triage/tips/<uuid:code>/referrals/", "post",
     "/api/v1/triage/tips/{tip}/referrals/", "holder", 201),
    ("api/v1/triage/tips/<uuid:code>/referrals/", "post",
     "/api/v1/triage/tips/{tip}/referrals/", "colleague", 403),
    # Contact details: only under one's own approved reveal; nobody approves their own request.
    ("triage/tips/<uuid:code>/contact/", "get", "/triage/tips/{tip}/contact/", "holder", 200),
    ("triage/tips/<uuid:code>/contact/", "get", "/triage/tips/{tip}/contact/", "colleague",
     REFUSED),
    ("api/v1/triage/tips/<uuid:code>/contact/", "get", "/api/v1/triage/tips/{tip}/contact/",
     "holder", 200),
    ("api/v1/triage/tips/<uuid:code>/contact/", "get", "/api/v1/triage/tips/{tip}/contact/",
     "colleague", 403),
    ("triage/reveals/<uuid:code>/approve/", "post", "/triage/reveals/{reveal}/approve/",
     "approver", DONE),
    ("triage/reveals/<uuid:code>/approve/", "post", "/triage/reveals/{reveal}/approve/",
     "requester", REFUSED),
    ("triage/reveals/<uuid:code>/deny/", "post", "/triage/reveals/{reveal}/deny/", "approver",
     DONE),
    ("triage/reveals/<uuid:code>/deny/", "post", "/triage/reveals/{reveal}/deny/", "requester",
     REFUSED),
    ("api/v1/triage/reveals/<uuid:reveal>/approve/", "post",
     "/api/v1/triage/reveals/{reveal}/approve/", "approver", 200),
    ("api/v1/triage/reveals/<uuid:reveal>/approve/", "post",
     "/api/v1/triage/reveals/{reveal}/approve/", "requester", 403),
    ("api/v1/triage/reveals/<uuid:reveal>/deny/", "post", "/api/v1/triage/reveals/{reveal}/deny/",
     "approver", 200),
    ("api/v1/triage/reveals/<uuid:reveal>/deny/", "post", "/api/v1/triage/reveals/{reveal}/deny/",
     "requester", 403),
]  # fmt: skip

# What each action is sent: enough to succeed in scope (JSON to the API, a form to the pages).
REASON = "The plate matches an open case"
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("handoffs/<uuid:code>/decline/", "post"): {"reason": "We have no bed free this week"},
    # A denial says why.
    ("triage/reveals/<uuid:code>/deny/", "post"): {"reason": REASON},
    ("api/v1/triage/reveals/<uuid:reveal>/deny/", "post"): {"reason": REASON},
    ("handoffs/<uuid:code>/contact-attempts/", "post"): {"method": "phone", "note": "No answer"},
    ("handoffs/<uuid:code>/outcome/", "post"): {"outcome": "contacted"},
    ("handoffs/<uuid:code>/notes/", "post"): {"note": "Called back on Tuesday"},
    ("api/v1/handoffs/<uuid:code>/decline/", "post"): {"reason": "We have no bed free"},
    ("api/v1/handoffs/<uuid:code>/outcome/", "post"): {"outcome": "contacted"},
    ("api/v1/handoffs/<uuid:code>/contact-attempts/", "post"): {"method": "phone"},
    ("triage/tips/<uuid:code>/transition/", "post"): {"to": "investigating", "reason": REASON},
    ("triage/tips/<uuid:code>/categorize/", "post"): {"category": "sex_trafficking",
                                                      "reason": REASON},
    ("triage/tips/<uuid:code>/prioritize/", "post"): {"priority_level": "urgent",
                                                      "reason": REASON},
    ("triage/tips/<uuid:code>/reveals/", "post"): {"reason": REASON},
    ("triage/tips/<uuid:code>/minor-reports/", "post"): {"agency": "kansas_dcf",
                                                         "reference": "DCF-2291"},
    ("triage/tips/<uuid:code>/referrals/", "post"): {"destination": "fbi", "reason": REASON},
    ("api/v1/triage/tips/<uuid:code>/", "patch"): {"category": "sex_trafficking",
                                                   "reason": REASON},
    ("api/v1/triage/tips/<uuid:code>/transition/", "post"): {"to": "investigating",
                                                             "reason": REASON},
    ("api/v1/triage/tips/<uuid:code>/reveals/", "post"): {"reason": REASON},
    ("api/v1/triage/tips/<uuid:code>/minor-reports/", "post"): {"agency": "kansas_dcf",
                                                                "reference": "DCF-2291"},
    ("api/v1/triage/tips/<uuid:code>/referrals/", "post"): {"destination": "fbi",
                                                            "reason": REASON},
}  # fmt: skip


@dataclass(frozen=True)
class World:
    people: dict[str, User]
    objects: dict[str, str]  # placeholder in SCOPED paths -> the real object's code


@pytest.fixture
def world(make_staff, recovery_key, enlist, keys) -> World:
    """Two tips sharing a plate, each with an attachment and a referral, held by `holder`; on the
    first, a message to the tipster, `holder`'s approved reveal, `requester`'s pending one, and
    org-a's handoffs of it, one waiting and one accepted; and the people of the table above."""
    from handoffs import actions as handoff_actions
    from partners.models import Organization
    from tips.attachments import clean_upload
    from triage import actions

    on_desk = {
        "holder": enlist(make_staff("ivy-holder", "investigator")),
        "colleague": enlist(make_staff("oscar-colleague", "investigator")),
        "requester": enlist(make_staff("sam-requester", "supervisor")),
        "approver": enlist(make_staff("sue-approver", "supervisor")),
    }
    partners = {
        "liaison": factories.partner(make_staff("lia-a", "liaison", "org-a"), recovery_key),
        "outsider": factories.partner(make_staff("lee-b", "liaison", "org-b"), recovery_key),
    }
    people = {**on_desk, **partners, "deskless": make_staff("dee-deskless", "investigator")}
    holder = people["holder"]

    def photo():
        return (clean_upload("van.png", factories.image(format="PNG").getvalue()),)

    tip, _ = factories.submit_tip(contact=factories.tipster_contact(), attachments=photo())
    other, _ = factories.submit_tip(attachments=photo())
    referrals = {}
    for name, row in (("tip", tip), ("other_tip", other)):
        actions.do_claim(row, acting_user=holder)
        referrals[name] = actions.do_refer(
            row, "fbi", REASON, acting_user=holder, unlocked=keys(holder)
        )
    own = actions.do_request_reveal(tip, REASON, acting_user=holder, unlocked=keys(holder))
    actions.do_decide_reveal(own, approve=True, acting_user=people["approver"])
    pending_reveal = actions.do_request_reveal(
        tip, REASON, acting_user=people["requester"], unlocked=keys(people["requester"])
    )
    org_a = Organization.objects.get(slug="org-a")
    factories.investigator_says(tip, "Which night does the van come?")
    pending = factories.hand_off(tip, org_a, acting_user=holder, with_consent=True)
    accepted = factories.hand_off(tip, org_a, acting_user=holder)
    handoff_actions.do_accept(accepted, acting_user=people["liaison"])
    objects = {
        "tip": tip.code,
        "attachment": tip.attachments.get().code,
        "referral": referrals["tip"].code,
        "other_attachment": other.attachments.get().code,
        "other_referral": referrals["other_tip"].code,
        "reveal": pending_reveal.code,
        "pending": pending.code,
        "accepted": accepted.code,
    }
    return World(people, {name: str(code) for name, code in objects.items()})


def _served(answer: Answer) -> bool:
    status = answer if isinstance(answer, int) else answer[0]
    return 200 <= status < 300 or answer == DONE


def test_every_scoped_route_is_a_route_with_a_control_and_a_refusal() -> None:
    listed = {row[0] for row in ROUTES}
    by_route: dict[tuple[str, str], list[Answer]] = {}
    for route, method, _path, _who, answer in SCOPED:
        by_route.setdefault((route, method), []).append(answer)
    for (route, method), answers in by_route.items():
        assert route in listed, f"{route} has no row in the permission matrix"
        assert any(_served(a) for a in answers), f"{method} {route}: no row where it is served"
        assert not all(_served(a) for a in answers), f"{method} {route}: no row refusing it"


def _scoped_params() -> list:
    params = []
    for route, method, path, who, answer in SCOPED:
        params.append(pytest.param(route, method, path, who, answer, id=f"{who} {method} {path}"))
    return params


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "path", "who", "answer"), _scoped_params())
def test_it_scopes_the_object(world, route, method, path, who, answer) -> None:  # noqa: PLR0917
    client = sign_in(Client(raise_request_exception=False), world.people[who])
    url = path.format(**world.objects)
    body = BODIES.get((route, method), {})
    if url.startswith("/api/"):
        response = getattr(client, method)(url, body, "application/json")
    else:
        response = getattr(client, method)(url, body)
    if isinstance(answer, int):
        assert response.status_code == answer, (who, method, url, response.content[:300])
    else:
        status, level = answer
        shown = [(m.level, m.message) for m in get_messages(response.wsgi_request)]
        assert response.status_code == status, (who, method, url, response.content[:300])
        assert [lvl for lvl, _ in shown] == [level], (who, method, url, shown)
