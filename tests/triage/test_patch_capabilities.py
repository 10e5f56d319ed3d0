"""PATCH on a tip checks the capability of each field it changes: `category` needs
`triage.categorize`, `priority_level` needs `triage.prioritize`."""

from __future__ import annotations

import pytest
from django.test import Client

from portal import roles
from portal.roles import Role
from tests.readers import fresh
from tests.staff import sign_in

API = "/api/v1/triage/tips/"


@pytest.fixture
def categorize_only(monkeypatch):
    """Investigators who may categorize but not prioritize (a policy a county could choose)."""
    table = dict(roles.CAPABILITIES)
    table[Role.INVESTIGATOR] = table[Role.INVESTIGATOR] - {"triage.prioritize"}
    monkeypatch.setattr(roles, "CAPABILITIES", table)


def test_it_refuses_a_priority_change_without_the_prioritize_capability(
    categorize_only, investigator, tip
) -> None:
    api = sign_in(Client(), investigator)
    api.post(f"{API}{tip.code}/claim/")

    refused = api.patch(
        f"{API}{tip.code}/",
        {"priority_level": "urgent", "reason": "Same van as last week"},
        content_type="application/json",
    )
    allowed = api.patch(
        f"{API}{tip.code}/",
        {"category": "sex_trafficking", "reason": "Same van as last week"},
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert allowed.status_code == 200
    after = fresh(tip)
    assert (after.category, after.priority_level) == ("sex_trafficking", tip.priority_level)
