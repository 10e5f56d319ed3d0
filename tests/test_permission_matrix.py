"""Every URL, every persona: who gets in, who is refused, and nobody forgotten.

Each route is listed once with its rule; the expected status for every persona follows from
the rule and `portal.roles`. A route missing from ROUTES, or a view that declares no rule,
fails `test_it_covers_every_route`.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portal.accounts.access import PUBLIC
from portal.roles import role_may
from tests.staff import sign_in

PERSONAS = ["anonymous", "unverified", "investigator", "supervisor", "liaison", "admin"]

# (route as declared, concrete path, method, rule, status when allowed)
ROUTES: list[tuple[str, str, str, str, int]] = [
    ("healthz/", "/healthz/", "get", PUBLIC, 200),
    # With a broker configured no worker beats in the test database: degraded, 503.
    ("readyz/", "/readyz/", "get", PUBLIC, 200 if settings.CELERY_TASK_ALWAYS_EAGER else 503),
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
    ("staff/invitation/<str:token>/", "/staff/invitation/not-a-token/", "get", PUBLIC, 404),
    ("staff/accounts/", "/staff/accounts/", "get", "accounts.manage", 200),
    ("staff/health/", "/staff/health/", "get", "system.health", 200),
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
    ("handoffs/statistics/", "/handoffs/statistics/", "get", "triage.statistics", 200),
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
    ("triage/reveals/", "/triage/reveals/", "get", "triage.approve_reveal", 200),
    ("api/v1/triage/tips/", "/api/v1/triage/tips/", "get", "triage.view_queue", 200),
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
    ("triage/tips/<uuid:code>/", "/triage/tips/{ID}/", "get", "triage.view_tip", 404),
    ("triage/tips/<uuid:code>/claim/", "/triage/tips/{ID}/claim/", "post", "triage.claim", 404),
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
    response = getattr(client, method)(path)
    assert response.status_code == expected_status(persona, method, path, rule, allowed), (
        persona,
        path,
    )
