import pytest

from audit import Action, record
from audit.models import AuditEvent
from audit.testing import link_entries
from portal.roles import Role
from tests.staff import login_verified

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/audit/events/"
VERIFY = "/api/v1/audit/verify/"


@pytest.fixture
def api(client, supervisor_user):
    login_verified(client, supervisor_user)
    return client


def test_it_lists_events_newest_first_in_the_documented_shape(api, make_user):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    record(Action.TIP_CLAIMED, actor=ivy, target=("tips.tip", "c0ffee"), reason="duplicate")
    record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    response = api.get(EVENTS)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    submitted, claimed = body["results"]
    assert submitted["seq"] == 2
    assert claimed == {
        "seq": 1,
        "at": claimed["at"],
        "actor": str(ivy.pk),
        "actor_name": "ivy",
        "action": "TIP_CLAIMED",
        "action_code": 201,
        "action_label": "Tip claimed",
        "target_type": "tips.tip",
        "target_id": "c0ffee",
        "details": {"reason": "duplicate"},
    }
    assert claimed["at"].endswith("Z")
    assert submitted["actor"] == "anonymous"


def test_it_filters_by_action_name_or_number_actor_and_target(api, make_user):
    ivy = make_user(Role.INVESTIGATOR, "ivy")
    record(Action.TIP_CLAIMED, actor=ivy, target=("tips.tip", "a"))
    record(Action.TIP_RELEASED, actor=ivy, target=("tips.tip", "a"))
    record(Action.TIP_CLAIMED, actor="system", target=("tips.tip", "b"))
    link_entries()

    def seqs(**params: str) -> list[int]:
        response = api.get(EVENTS, params)
        assert response.status_code == 200, response.json()
        return [event["seq"] for event in response.json()["results"]]

    assert seqs(action="TIP_CLAIMED") == [3, 1]
    assert seqs(action="202") == [2]
    assert seqs(actor="ivy") == [2, 1]
    assert seqs(actor="system", action="tip_claimed") == [3]
    assert seqs(target_type="tips.tip", target_id="a") == [2, 1]


def test_it_answers_400_in_the_error_shape_for_bad_filters(api):
    response = api.get(EVENTS, {"action": "TIP_EATEN", "limit": "0"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"action"}
    response = api.get(EVENTS, {"limit": "1000"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"limit"}


def test_it_paginates_by_sequence_number(api):
    for index in range(7):
        record(Action.TIP_SUBMITTED, actor=None, n=index)
    link_entries()
    first = api.get(EVENTS, {"limit": 3, "action": "TIP_SUBMITTED"}).json()
    assert [event["seq"] for event in first["results"]] == [7, 6, 5]
    assert "before=5" in first["next"]
    assert "action=TIP_SUBMITTED" in first["next"]
    second = api.get(first["next"]).json()
    assert [event["seq"] for event in second["results"]] == [4, 3, 2]
    third = api.get(second["next"]).json()
    assert [event["seq"] for event in third["results"]] == [1]
    assert third["next"] is None


def test_it_records_every_call(api, supervisor_user):
    api.get(EVENTS, {"target_type": "tips.tip"})
    entry = AuditEvent.objects.order_by("-id").first()
    assert (entry.action, entry.actor) == (Action.AUDIT_VIEWED, str(supervisor_user.pk))
    assert entry.details == {"via": "api", "filters": {"target_type": "tips.tip"}}


def test_it_verifies_the_log(api, tamper):
    for _ in range(4):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    body = api.get(VERIFY).json()
    assert (body["ok"], body["checked"], body["first_bad"]) == (True, 4, None)
    verified = AuditEvent.objects.order_by("-id").first()
    assert verified.action == Action.AUDIT_VERIFIED
    assert verified.details == {"via": "api", "ok": True, "checked": 4, "first_bad": None}
    link_entries()
    tamper("DELETE FROM audit_event WHERE seq = 3")
    body = api.get(VERIFY).json()
    assert (body["ok"], body["first_bad"]) == (False, 3)
    assert "missing" in body["problem"]


def test_it_lists_entries_not_linked_yet_first_with_a_null_seq(api):
    for index in range(3):
        record(Action.TIP_SUBMITTED, actor=None, n=index)
    link_entries()
    for index in range(3, 6):
        record(Action.TIP_SUBMITTED, actor=None, n=index)  # committed, not linked yet
    first = api.get(EVENTS, {"limit": 4, "action": "TIP_SUBMITTED"}).json()
    results = first["results"]
    assert [event["seq"] for event in results] == [None, None, None, 3]
    assert {event["details"]["n"] for event in results[:3]} == {3, 4, 5}
    assert set(results[0]) == set(results[3])  # the same fields, linked or not
    assert "before=3" in first["next"]
    second = api.get(first["next"]).json()
    assert [event["seq"] for event in second["results"]] == [2, 1]


def test_it_continues_from_the_chain_head_after_a_page_of_unlinked_entries(api):
    record(Action.TIP_SUBMITTED, actor=None, n=0)
    link_entries()
    for index in range(1, 4):
        record(Action.TIP_SUBMITTED, actor=None, n=index)
    first = api.get(EVENTS, {"limit": 2, "action": "TIP_SUBMITTED"}).json()
    assert [event["seq"] for event in first["results"]] == [None, None]
    assert "before=2" in first["next"]
    assert [event["seq"] for event in api.get(first["next"]).json()["results"]] == [1]


@pytest.mark.parametrize("path", [EVENTS, VERIFY])
def test_it_refuses_anonymous_callers_in_json(client, path):
    response = client.get(path)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.LIAISON, Role.ADMIN])
@pytest.mark.parametrize("path", [EVENTS, VERIFY])
def test_it_refuses_every_other_role(client, make_user, role, path):
    login_verified(client, make_user(role))
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not AuditEvent.objects.exists()


def test_it_is_read_only(api):
    assert api.post(EVENTS, {}).status_code == 405
    assert api.delete(VERIFY).status_code == 405


def test_it_documents_both_endpoints_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/audit/events/" in schema["paths"]
    assert "/api/v1/audit/verify/" in schema["paths"]


@pytest.mark.parametrize(
    "query",
    ["limit=%C2%B2", "before=%C2%B2", "date_to=9999-12-31", "date_from=not-a-date", "date_to="],
)
def test_it_answers_odd_filters_with_400(api, query):
    response = api.get(f"{EVENTS}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
