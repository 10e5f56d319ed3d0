"""`…/statistics/export.csv`: every table, counts only, small numbers protected, audited."""

from __future__ import annotations

import csv
import io
import re

from django.test import Client

from audit import Action
from audit.models import AuditEvent
from tests.staff import login_verified
from tests.stats.conftest import RANGE

TIPS, HANDOFFS = "/triage/statistics/export.csv", "/handoffs/statistics/export.csv"


def _export(user, url: str, params: dict[str, str]) -> tuple[bytes, list[list[str]]]:
    client = Client()
    login_verified(client, user)
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_opens_in_a_spreadsheet(world, supervisor):
    raw, rows = _export(supervisor, TIPS, RANGE)

    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert rows[0] == ["table", "week", "key", "value"]
    assert all(row != rows[0] for row in rows[1:])  # one header row
    assert {len(row) for row in rows} == {4}
    weeks = {row[1] for row in rows[1:] if row[1]}
    assert weeks == {"2026-06-01", "2026-06-08", "2026-06-15"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", week) for week in weeks)


def test_it_has_every_table_with_small_counts_protected(world, supervisor):
    _, rows = _export(supervisor, TIPS, RANGE)
    values = {(table, week, key): value for table, week, key, value in rows[1:]}

    assert values[("tips", "", "total")] == "6"
    assert values[("tips.by_week", "2026-06-01", "count")] == "<5"
    assert values[("tips.by_area", "", "olathe")] == "<5"
    assert values[("outcomes.close_reasons", "", "duplicate")] == "0"
    assert values[("handoffs.by_organization.org-b", "", "total")] == "<5"
    assert values[("triage.within_service_level", "", "share")] == ""  # rests on a small count
    tables = {table.split(".")[0] for table, _, _ in values}
    assert tables == {"tips", "triage", "outcomes", "handoffs"}


def test_it_follows_the_filters(world, supervisor, settings):
    settings.STATISTICS_MIN_CELL = 1
    _, rows = _export(supervisor, TIPS, {**RANGE, "area": "lenexa"})
    values = {(table, week, key): value for table, week, key, value in rows[1:]}

    assert values[("tips", "", "total")] == "2"


def test_it_carries_no_text_and_no_tip_ids(world, supervisor):
    raw, _ = _export(supervisor, TIPS, RANGE)
    text = raw.decode("utf-8-sig")

    for tip in world.tips.values():
        assert str(tip.code) not in text and f",{tip.pk}," not in text
    assert "sealed" not in text


def test_it_is_audited_with_the_filters(world, supervisor):
    _export(supervisor, TIPS, {**RANGE, "category": "labor_trafficking"})

    [exported] = AuditEvent.objects.filter(action=Action.STATISTICS_EXPORTED)
    assert exported.actor == str(supervisor.pk)
    assert exported.details == {
        "view": "triage",
        "from": "2026-06-01",
        "to": "2026-06-17",
        "area": "",
        "category": "labor_trafficking",
    }


def test_a_liaison_exports_their_handoffs_only(world, liaison_a, settings):
    settings.STATISTICS_MIN_CELL = 1
    _, rows = _export(liaison_a, HANDOFFS, RANGE)

    assert {row[0].split(".")[0] for row in rows[1:]} == {"handoffs"}
    assert not any("org-b" in row[0] for row in rows)
    [exported] = AuditEvent.objects.filter(action=Action.STATISTICS_EXPORTED)
    assert exported.details["view"] == "handoffs"


def test_a_liaison_may_not_export_tip_statistics(liaison_a):
    client = Client()
    login_verified(client, liaison_a)

    assert client.get(TIPS).status_code == 403
