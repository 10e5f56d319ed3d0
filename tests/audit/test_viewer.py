import datetime as dt

import pytest
import time_machine
from django.conf import settings

from audit import Action, record
from audit.models import AuditEvent
from audit.testing import link_entries
from portal.roles import Role
from tests.staff import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client, supervisor_user):
    login_verified(client, supervisor_user)
    return client


def last_entry() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def test_it_shows_the_log_newest_first_from_the_hashed_entries(supervisor_client, make_user):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    record(Action.TIP_CLAIMED, actor=ivy, target=("tips.tip", "c0ffee"), reason="<b>dup</b>")
    record(Action.TIP_SUBMITTED, actor=None)
    response = supervisor_client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Tip submitted") < html.index("Tip claimed")
    assert "ivy" in html
    assert "Tip c0ffee" in html  # no such tip: named by its id
    assert "<dt>Reason</dt><dd>&lt;b&gt;dup&lt;/b&gt;</dd>" in html  # escaped, never markup
    assert 'class="staff"' in html


def test_it_records_every_view(supervisor_client, supervisor_user):
    supervisor_client.get("/audit/", {"action": "TIP_CLAIMED", "actor": "ivy"})
    entry = last_entry()
    assert entry.action == Action.AUDIT_VIEWED
    assert entry.actor == str(supervisor_user.pk)
    assert entry.details == {
        "via": "web",
        "page": 1,
        "filters": {"action": "TIP_CLAIMED", "actor": "ivy"},
    }


def test_it_filters_by_actor_action_target_and_date(supervisor_client, make_user):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC), tick=False):
        record(Action.TIP_CLAIMED, actor=ivy, target=("tips.tip", "march"))
    with time_machine.travel(dt.datetime(2026, 3, 5, 15, tzinfo=dt.UTC), tick=False):
        record(Action.TIP_CLAIMED, actor=ivy, target=("tips.tip", "later"))
        record(Action.TIP_RELEASED, actor=ivy, target=("tips.tip", "later"))
        record(Action.TIP_CLAIMED, actor="system", target=("triage.handoff", "h1"))

    def seen(**filters: str) -> set[str]:
        response = supervisor_client.get("/audit/", filters)
        assert response.status_code == 200
        return {row.target_id for row in response.context["rows"] if row.target_id}

    assert seen(actor="ivy", action="TIP_CLAIMED") == {"march", "later"}
    assert seen(actor=str(ivy.pk), action="TIP_RELEASED") == {"later"}
    assert seen(actor="system", target_type="triage.handoff") == {"h1"}
    assert seen(target_type="tips.tip", target_id="march") == {"march"}
    assert seen(date_from="2026-03-02", action="201") == {"later", "h1"}
    assert seen(date_to="2026-03-01", action="TIP_CLAIMED") == {"march"}
    assert seen(actor="nobody-by-that-name") == set()


def test_it_shows_errors_for_bad_filters_and_no_rows(supervisor_client):
    record(Action.TIP_SUBMITTED, actor=None)
    response = supervisor_client.get(
        "/audit/", {"action": "TIP_EATEN", "date_from": "2026-03-02", "date_to": "2026-03-01"}
    )
    assert response.status_code == 200
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "Unknown action" in html
    assert "The end date is before the start date." in html


def test_it_pages_fifty_entries_at_a_time(supervisor_client, django_assert_max_num_queries):
    for index in range(120):
        record(Action.TIP_SUBMITTED, actor=None, n=index)
    link_entries()
    with django_assert_max_num_queries(12):
        first = supervisor_client.get("/audit/")
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].seq == 120
    assert 'href="?page=2"' in first.content.decode()
    last = supervisor_client.get("/audit/", {"page": 3})
    assert [row.seq for row in last.context["rows"]][-1] == 1


def test_it_verifies_the_log_on_request(supervisor_client, tamper):
    for _ in range(3):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    response = supervisor_client.get("/audit/verify/")
    assert response.status_code == 200
    assert "Intact." in response.content.decode()
    assert last_entry().action == Action.AUDIT_VERIFIED
    link_entries()
    tamper("DELETE FROM audit_event WHERE seq = 2")
    response = supervisor_client.get("/audit/verify/")
    assert "First bad entry: <strong>#2</strong>" in response.content.decode()
    assert last_entry().details["ok"] is False


@pytest.mark.parametrize("path", ["/audit/", "/audit/verify/"])
def test_it_sends_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.LIAISON, Role.ADMIN])
@pytest.mark.parametrize("path", ["/audit/", "/audit/verify/"])
def test_it_refuses_every_other_role(client, make_user, role, path):
    login_verified(client, make_user(role))
    assert client.get(path).status_code == 403
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_disabled_supervisor(client, supervisor_user):
    login_verified(client, supervisor_user)
    supervisor_user.is_active = False
    supervisor_user.save(update_fields=["is_active"])
    assert client.get("/audit/").status_code in (302, 403)


def test_it_only_answers_get(supervisor_client):
    assert supervisor_client.post("/audit/").status_code == 405


def test_it_sends_a_supervisor_without_the_second_factor_to_sign_in(client, supervisor_user):
    client.force_login(supervisor_user)
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
