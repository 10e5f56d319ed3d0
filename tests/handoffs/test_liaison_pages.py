"""The liaison's inbox and handoff page: age, urgency and deadline; who sent it; no outcome
preselected; withdrawing consent and closing ask for confirmation."""

from __future__ import annotations

import re

from django.utils import timezone


def test_the_inbox_shows_age_urgency_and_deadline(lia, hand_off, org_a, submit):
    tip = submit(minor_involved="yes", immediate_danger="yes")[0]
    handoff = hand_off(org_a, tip=tip)

    html = lia.get("/handoffs/").content.decode()

    row = next(r for r in html.split("<tr") if str(handoff.code) in r)
    assert "Minor" in row and "Immediate danger" in row and "Shelter needed" in row
    assert timezone.localtime(handoff.sla_due_at).strftime("%Y-%m-%d %H:%M") in row


def test_the_handoff_names_its_sender_and_preselects_no_outcome(lia, handoff, investigator):
    lia.post(f"/handoffs/{handoff.code}/accept/")

    html = lia.get(f"/handoffs/{handoff.code}/").content.decode()

    assert investigator.username in html.split('id="handoff-sender"')[1].split("</dd>")[0]
    select = html.split('name="outcome"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w*)"[^>]*selected', select) == [""]
    assert "Choose the outcome</option>" in select
    assert re.search(r'name="confirm_close"[^>]*required', html)


def test_withdrawing_consent_is_behind_a_confirmation(lia, handoff):
    html = lia.get(f"/handoffs/{handoff.code}/").content.decode()

    withdraw = html.split('id="withdraw-consent"')[1].split("</details>")[0]
    assert "<summary>The person withdrew consent…</summary>" in withdraw
    assert "Yes, the person withdrew consent" in withdraw
    # Not a one-click button next to Accept any more: the only submit is inside the disclosure.
    outside = html.replace(withdraw, "")
    assert "revoke-consent" not in outside
