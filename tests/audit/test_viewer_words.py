"""The audit page in words: labels for actions and details, named targets, in English and
Spanish; the staff frame around both audit pages; a flat number of queries."""

import datetime as dt

import pytest
import time_machine
from django.core.paginator import Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from audit import Action, record
from audit.listing import EventFilterForm, present
from audit.models import AuditEvent
from audit.testing import record_linked
from audit.wording import page_items
from partners.models import Organization
from portal.roles import Role
from tests.staff import login_verified
from tests.stats.conftest import make_handoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, supervisor_user):
    login_verified(client, supervisor_user)
    return client


@pytest.fixture
def numbered_tip(submit):
    tip, _receipt = submit()
    assert tip.number
    return tip


def _html(client, language: str = "en", **filters: str) -> str:
    response = client.get("/audit/", filters, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _changes(tip, ivy) -> None:
    record(
        Action.TIP_TRANSITIONED, actor=ivy, target=tip,
        from_status="in_review", to_status="closed", close_reason="duplicate", change=7,
    )  # fmt: skip
    record(Action.TIP_REPRIORITIZED, actor=ivy, target=tip, from_level="normal", to_level="urgent")
    record(Action.TIP_CLAIMED, actor=ivy, target=tip, change=6)


def test_it_speaks_words_not_codes(supervisor_client, make_user, numbered_tip):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    _changes(numbered_tip, ivy)
    html = _html(supervisor_client)

    assert "Tip claimed" in html
    assert "Tip status changed" in html
    assert '<td data-label="Actor">ivy</td>' in html
    link = f'<a href="/triage/tips/{numbered_tip.code}/">Tip {numbered_tip.number}</a>'
    assert link in html
    assert "<dt>Status</dt><dd>In review → Closed</dd>" in html
    assert "<dt>Close reason</dt><dd>Duplicate</dd>" in html
    assert "<dt>Priority</dt><dd>Normal → Urgent</dd>" in html
    assert "<dt>Change record</dt><dd>#7</dd>" in html
    for code in ("in_review", "TIP_CLAIMED\n", "from_status", str(numbered_tip.code) + "<"):
        assert code not in html


def _rendered(rf, user, events) -> str:
    """The page as the view renders it, for what a request cannot ask: staff pages answer in
    English over HTTP, and a log holds no entry without a seq yet."""
    rows = present(events)
    request = rf.get("/audit/")
    request.user = user
    context = {
        "form": EventFilterForm(),
        "page": Paginator(events, 50).get_page(1),
        "items": page_items(rows, [True] * len(rows), user),
    }
    return render_to_string("audit/events.html", context, request=request)


def test_it_speaks_spanish_to_a_spanish_reader(rf, make_user, numbered_tip, supervisor_user):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    _changes(numbered_tip, ivy)
    with translation.override("es"):
        html = _rendered(rf, supervisor_user, list(AuditEvent.objects.order_by("-seq")))

    assert "Denuncia tomada" in html
    assert "Estado de la denuncia cambiado" in html
    assert f">Denuncia {numbered_tip.number}</a>" in html
    assert "<dt>Estado</dt><dd>En revisión → Cerrado</dd>" in html
    assert "<dt>Motivo de cierre</dt><dd>Duplicado</dd>" in html
    assert "<dt>Prioridad</dt><dd>Normal → Urgente</dd>" in html
    assert 'data-label="Detalles"' in html
    assert "Registro de auditoría" in html
    assert "Tip claimed" not in html


def test_it_names_users_organizations_and_handoffs(
    supervisor_client, make_user, numbered_tip, supervisor_user
):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    harbor = Organization.objects.create(slug="harbor", name="Harbor House")
    handoff = make_handoff(numbered_tip, harbor, timezone.now(), ivy)
    record(Action.ACCOUNT_CREATED, actor=supervisor_user, target=ivy, role="investigator")
    record(Action.ORGANIZATION_UPDATED, actor=supervisor_user, target=harbor, fields=["name"])
    record(
        Action.HANDOFF_CREATED, actor=ivy, target=handoff, tip=str(numbered_tip.code),
        organization="harbor", services=["shelter", "legal"], with_consent=False,
    )  # fmt: skip
    html = _html(supervisor_client)

    assert "User ivy" in html
    assert "<dt>Role</dt><dd>Investigator</dd>" in html
    assert "Organization Harbor House" in html
    assert (
        f'<a href="/handoffs/{handoff.code}/">Handoff to Harbor House ({numbered_tip.number})</a>'
        in html
    )
    assert "<dt>Services</dt><dd>Emergency shelter, Legal help</dd>" in html
    assert "<dt>With consent</dt><dd>no</dd>" in html  # a key without a term of its own
    assert (
        f'<dd><a href="/triage/tips/{numbered_tip.code}/">Tip {numbered_tip.number}</a></dd>'
        in (html)
    )


def test_it_reads_unknown_keys_as_key_and_value_escaped(supervisor_client):
    record(
        Action.TIP_SUBMITTED,
        actor=None,
        some_new_field="<script>x</script>",
        nested={"a_b": [1, 2]},
    )
    html = _html(supervisor_client)

    assert "<dt>Some new field</dt><dd>&lt;script&gt;x&lt;/script&gt;</dd>" in html
    assert "<dt>Nested</dt><dd>A b: 1, 2</dd>" in html
    assert "<script>x" not in html


def test_it_reads_the_filters_of_an_audit_view(supervisor_client):
    supervisor_client.get("/audit/", {"action": "TIP_CLAIMED", "actor": "ivy"})
    html = _html(supervisor_client, action="AUDIT_VIEWED")

    assert "<dt>Filters</dt><dd>Action: Tip claimed; Actor: ivy</dd>" in html
    assert "<dt>Through</dt><dd>the web page</dd>" in html


def test_it_shows_an_entry_not_yet_chained(rf, supervisor_user):
    chained = record_linked(Action.TIP_SUBMITTED, actor=None)
    waiting = record(Action.TIP_SUBMITTED, actor=None)  # the sequencer has not run yet
    assert [row.seq for row in present([waiting, chained])] == [None, 1]

    html = _rendered(rf, supervisor_user, [waiting, chained])

    assert '<td data-label="#"><em>not yet chained</em></td>' in html
    assert '<td data-label="#">1</td>' in html


@pytest.mark.parametrize("path", ["/audit/", "/audit/verify/"])
def test_both_audit_pages_sit_in_the_staff_frame(supervisor_client, path):
    html = (
        _html(supervisor_client)
        if path == "/audit/"
        else supervisor_client.get(path).content.decode()
    )

    assert '<nav class="staff-nav" aria-label="Staff">' in html
    assert '<form method="post" action="/staff/logout/"' in html  # sign out
    assert 'id="session-timer"' in html  # the idle sign-out warning
    assert "/static/portal/staff.js" in html
    current = "/audit/" if path == "/audit/" else "/audit/verify/"
    assert f'<a href="{current}" aria-current="page">' in html
    other = "/audit/verify/" if path == "/audit/" else "/audit/"
    assert f'<a href="{other}">' in html
    assert html.count('aria-current="page"') == 1


def _queries_for(client, entries: int) -> int:
    # The entries below only: not those of the set-up, nor the AUDIT_VIEWED of the first call.
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/", {"date_to": "2026-03-31"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == entries
    return len(queries)


def _entries(count: int, tips, users, organization) -> None:
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    for index in range(count):
        tip, user = tips[index % len(tips)], users[index % len(users)]
        with time_machine.travel(start + dt.timedelta(minutes=index), tick=False):
            kind = index % 4
            if kind == 0:
                record(Action.TIP_VIEWED, actor=user, target=tip)
            elif kind == 1:
                record(Action.TIP_LINKED, actor=user, target=tip, other=str(tips[0].code))
            elif kind == 2:
                record(Action.ACCOUNT_ENABLED, actor=users[0], target=users[-1 - index % 3])
            else:
                record(Action.ORGANIZATION_UPDATED, actor="system", target=organization)


def test_its_query_count_does_not_grow_with_the_entries(supervisor_client, make_user, submit):
    tips = [submit()[0] for _ in range(2)]
    users = [make_user(Role.INVESTIGATOR, f"member-{n}") for n in range(6)]
    organization = Organization.objects.create(slug="harbor", name="Harbor House")
    _entries(5, tips, users, organization)
    few = _queries_for(supervisor_client, 5)
    _entries(45, tips, users, organization)
    many = _queries_for(supervisor_client, 50)

    assert many == few
