"""reading.open_tip: decrypts what the tip page shows, audits it, never shows contact details."""

import pytest

from audit import Action
from portal import vault
from tests.readers import events
from tips.attachments import CleanedAttachment
from triage import actions, reading


def photo(name: str) -> CleanedAttachment:
    return CleanedAttachment(
        name=name, content_type="image/jpeg", data=b"\xff\xd8 not really a jpeg", original=None,
        removed=(),
    )  # fmt: skip


def test_it_decrypts_the_content(tip, investigator, keys):
    view = reading.open_tip(tip, keys(investigator), actor=investigator)

    assert view.content["description"] == "Men sleep in the warehouse behind the Sunrise Nail Spa."
    assert view.content["identifiers"]["plates"] == ["KS 7ABC123"]


def test_it_decrypts_attachment_names(submit, investigator, keys):
    tip, _receipt = submit(attachments=(photo("van_on_pine.jpg"),))

    view = reading.open_tip(tip, keys(investigator), actor=investigator)

    [attachment] = view.attachments
    assert (attachment.name, attachment.content_type) == ("van_on_pine.jpg", "image/jpeg")


def test_it_never_includes_contact_details(submit, contact, investigator, keys):
    tip, _receipt = submit(contact=contact)
    assert tip.has_contact

    view = reading.open_tip(tip, keys(investigator), actor=investigator)

    assert "contact" not in view.content
    assert "Ana Tester" not in repr(view)
    assert "816 555 0100" not in repr(view)


def test_it_audits_the_view_only_when_nothing_else_is_shown(tip, investigator, keys):
    reading.open_tip(tip, keys(investigator), actor=investigator)

    [event] = events(Action.TIP_VIEWED, tip)
    assert event.actor == str(investigator.pk)
    assert events(Action.NOTE_VIEWED, tip) == []
    assert events(Action.MESSAGES_VIEWED, tip) == []


def test_it_audits_notes_and_messages_it_shows(tip, investigator, keys):
    actions.do_add_note(
        tip, "Landlord denies it", acting_user=investigator, unlocked=keys(investigator)
    )
    actions.do_message_tipster(tip, "Any plate number?", acting_user=investigator)

    reading.open_tip(tip, keys(investigator), actor=investigator)

    assert [e.details for e in events(Action.NOTE_VIEWED, tip)] == [{"notes": 1}]
    assert [e.details for e in events(Action.MESSAGES_VIEWED, tip)] == [{"messages": 1}]


def test_it_shows_decisions_with_their_reasons(tip, investigator, keys):
    actions.do_claim(tip, acting_user=investigator)
    actions.do_reprioritize(
        tip, "urgent", acting_user=investigator, reason="Minor seen", unlocked=keys(investigator)
    )

    view = reading.open_tip(tip, keys(investigator), actor=investigator)

    assert [(c.kind, c.body) for c in view.changes] == [
        ("claim", ""),
        ("reprioritize", "Minor seen"),
    ]


def test_it_refuses_a_liaison_without_the_triage_desk(tip, liaison_a, keys):
    with pytest.raises(vault.NoDeskAccess):
        reading.open_tip(tip, keys(liaison_a), actor=liaison_a)
    assert events(Action.TIP_VIEWED, tip) == []


def test_it_streams_a_decrypted_attachment_and_audits_it(submit, investigator, keys):
    tip, _receipt = submit(attachments=(photo("van.jpg"),))
    row = tip.attachments.get()

    name, chunks = reading.attachment_chunks(tip, row, keys(investigator), actor=investigator)

    assert (name, b"".join(chunks)) == ("van.jpg", b"\xff\xd8 not really a jpeg")
    [event] = events(Action.ATTACHMENT_DOWNLOADED, tip)
    assert event.details == {"attachment": str(row.code)}
