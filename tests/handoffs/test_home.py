"""A liaison's home: the handoffs waiting for their organization, with age, deadline, urgency
and who sent them."""

from __future__ import annotations

from django.utils import timezone


def test_a_liaison_sees_waiting_handoffs_with_deadline_and_urgency(
    lia, hand_off, org_a, submit, investigator
):
    minor_tip = submit(minor_involved="yes")[0]
    handoff = hand_off(org_a, tip=minor_tip)

    html = lia.get("/staff/").content.decode()

    section = html.split('id="handoffs-waiting"')[1].split("</ul>")[0]
    assert f"/handoffs/{handoff.code}/" in section
    assert f"from {investigator.username}" in section
    assert timezone.localtime(handoff.sla_due_at).strftime("%Y-%m-%d %H:%M") in section
    assert "Minor" in section and "Shelter needed" in section
    assert 'id="urgent-waiting"' not in html  # liaisons never see the queue
