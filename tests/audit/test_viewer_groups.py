"""The entries one tip page view writes read as one row, each entry still listed inside it."""

import datetime as dt
import re

import pytest
import time_machine

from audit import Action, record
from audit.models import AuditEvent
from audit.testing import link_entries
from portal.roles import Role
from tests.audit.viewing import view_tip
from tests.staff import login_verified

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)


@pytest.fixture
def supervisor_client(client, supervisor_user):
    login_verified(client, supervisor_user)
    return client


@pytest.fixture
def ivy(make_user):
    return make_user(Role.INVESTIGATOR, "ivy")


@pytest.fixture
def two_tips(submit):
    return submit()[0], submit()[0]


def _page(client, **params):
    response = client.get("/audit/", {"date_to": "2026-03-31", **params})
    assert response.status_code == 200
    return response


def _groups(response):
    return [item for item in response.context["items"] if item.grouped]


def _seqs(response) -> list[int]:
    return [line.row.seq for item in response.context["items"] for line in item.lines]


def test_a_tip_page_view_is_one_row_with_its_entries_inside(supervisor_client, ivy, two_tips):
    tip = two_tips[0]
    with time_machine.travel(START, tick=False):
        seqs = view_tip(tip, ivy)
    response = _page(supervisor_client)

    (group,) = response.context["items"]
    assert group.grouped
    assert group.summary == (
        f"Opened tip {tip.number}: the tip, 3 notes, 2 tipster messages, 4 related tips"
    )
    assert [line.row.seq for line in group.lines] == seqs[::-1]
    html = response.content.decode()
    assert f'<td data-label="#">{seqs[-1]}\N{EN DASH}{seqs[0]}</td>' in html
    details = re.search(r'<details class="audit-entries">(.*?)</details>', html, re.S)
    assert details is not None
    assert "The 4 entries of this page view" in details.group(1)
    for seq, label in zip(
        seqs,
        ["Tip decrypted and viewed", "Internal notes decrypted and viewed",
         "Tipster thread decrypted and viewed", "Related tips viewed"],
        strict=True,
    ):  # fmt: skip
        assert f'<span class="audit-seq">#{seq}</span> <span title="' in details.group(1)
        assert label in details.group(1)
    assert "4 entries" in html  # the count is of entries, not rows


def test_views_of_two_tips_are_two_rows(supervisor_client, ivy, two_tips):
    with time_machine.travel(START, tick=False):
        first = view_tip(two_tips[0], ivy, notes=0)
        second = view_tip(two_tips[1], ivy, messages=0)
    response = _page(supervisor_client)

    newer, older = response.context["items"]
    assert newer.summary == f"Opened tip {two_tips[1].number}: the tip, 3 notes, 4 related tips"
    assert older.summary == (
        f"Opened tip {two_tips[0].number}: the tip, 2 tipster messages, 4 related tips"
    )
    assert _seqs(response) == (first + second)[::-1]


def test_two_views_of_one_tip_are_two_rows(supervisor_client, ivy, two_tips):
    with time_machine.travel(START, tick=False):
        first = view_tip(two_tips[0], ivy)
        second = view_tip(two_tips[0], ivy, notes=1)
    response = _page(supervisor_client)

    assert [len(group.lines) for group in _groups(response)] == [4, 4]
    assert _seqs(response) == (first + second)[::-1]
    assert "1 note," in _groups(response)[0].summary


def test_entries_apart_in_time_or_by_someone_else_stand_alone(
    supervisor_client, ivy, make_user, two_tips
):
    tip = two_tips[0]
    oscar = make_user(Role.INVESTIGATOR, "oscar")
    with time_machine.travel(START, tick=False):
        record(Action.TIP_VIEWED, actor=ivy, target=tip)
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        record(Action.RELATED_VIEWED, actor=ivy, target=tip, related=1)
        record(Action.NOTE_VIEWED, actor=oscar, target=tip, notes=1)
        record(Action.TIP_CLAIMED, actor=oscar, target=tip)
    response = _page(supervisor_client)

    assert _groups(response) == []
    assert len(response.context["items"]) == 4


def test_filters_still_choose_entries(supervisor_client, ivy, make_user, two_tips):
    with time_machine.travel(START, tick=False):
        seqs = view_tip(two_tips[0], ivy)
        view_tip(two_tips[1], make_user(Role.SUPERVISOR, "sue"))

    notes = _page(supervisor_client, action="NOTE_VIEWED")
    assert [row.seq for row in notes.context["rows"]] == [seqs[1] + 4, seqs[1]]
    assert _groups(notes) == []
    assert "2 entries." in notes.content.decode()

    hers = _page(supervisor_client, actor="ivy")
    (group,) = hers.context["items"]
    assert [line.row.seq for line in group.lines] == seqs[::-1]
    assert "4 entries." in hers.content.decode()

    target = _page(supervisor_client, target_type="tips.tip", target_id=str(two_tips[1].code))
    assert [len(group.lines) for group in _groups(target)] == [4]


def test_a_view_cut_by_the_page_edge_is_on_both_pages_once(
    supervisor_client, ivy, two_tips, monkeypatch
):
    monkeypatch.setattr("audit.views.PAGE_SIZE", 2)
    with time_machine.travel(START, tick=False):
        seqs = view_tip(two_tips[0], ivy)
    first, second = _page(supervisor_client), _page(supervisor_client, page=2)

    assert _seqs(first) == seqs[:1:-1]
    assert _seqs(second) == seqs[1::-1]
    (newest,), (oldest,) = first.context["items"], second.context["items"]
    assert (newest.grouped, newest.continues_older, newest.continues_newer) == (True, True, False)
    assert (oldest.grouped, oldest.continues_older, oldest.continues_newer) == (True, False, True)
    assert newest.summary == f"Opened tip {two_tips[0].number}: 2 tipster messages, 4 related tips"
    assert oldest.summary == f"Opened tip {two_tips[0].number}: the tip, 3 notes"
    assert "began in older entries, on the next page" in first.content.decode()
    assert "goes on in newer entries, on the previous page" in second.content.decode()


def test_a_real_tip_page_view_reads_as_one_row(staff_client, investigator, supervisor, enlist, tip):
    enlist(investigator)
    assert staff_client(investigator).get(f"/triage/tips/{tip.code}/").status_code == 200
    link_entries()  # what the sequencer does once the view's transaction has committed
    written = AuditEvent.objects.filter(target_id=str(tip.code), action__in=[102, 208, 220, 221])

    response = staff_client(supervisor).get("/audit/", {"target_id": str(tip.code)})

    groups = _groups(response)
    assert len(groups) == 1
    assert {line.row.seq for line in groups[0].lines} == set(written.values_list("seq", flat=True))
    assert groups[0].summary.startswith(f"Opened tip {tip.number}: the tip")
