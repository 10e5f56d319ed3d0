"""Internal notes: sealed to the desk, readable by the task force, never by the tipster."""

import pytest

from audit import Action
from portal import vault
from tests.readers import events
from triage import actions, reading
from triage.actions import NotYours
from triage.models import Note

BODY = "Called the landlord at 816-555-0123; he denies everything."


def add_note(tip, user, keys, body=BODY):
    return actions.do_add_note(tip, body, acting_user=user, unlocked=keys(user))


def test_it_seals_the_note(tip, investigator, keys):
    note = add_note(tip, investigator, keys)

    sealed = bytes(Note.objects.get(pk=note.pk).body)
    assert b"landlord" not in sealed
    assert b"0123" not in sealed


def test_it_audits_the_note_by_code_only(tip, investigator, keys):
    note = add_note(tip, investigator, keys)

    [event] = events(Action.NOTE_ADDED, tip)
    assert event.details == {"note": str(note.code)}


def test_it_shows_the_note_in_the_tip_view(tip, investigator, other_investigator, keys):
    add_note(tip, investigator, keys)

    view = reading.open_tip(tip, keys(other_investigator), actor=other_investigator)

    [note] = view.notes
    assert (note.author, note.body) == (investigator.username, BODY)


def test_it_reads_the_notes_alone_and_audits_it(tip, investigator, keys):
    add_note(tip, investigator, keys)
    add_note(tip, investigator, keys, body="Second visit planned")

    notes = reading.read_notes(tip, keys(investigator), actor=investigator)

    assert [note.body for note in notes] == [BODY, "Second visit planned"]
    [event] = events(Action.NOTE_VIEWED, tip)
    assert event.details == {"notes": 2}


def test_it_keeps_notes_from_the_tipsters_key(submit, investigator, keys):
    tip, receipt = submit()
    add_note(tip, investigator, keys)

    tipster_key = vault.tipster.tipster_keypair(receipt)

    with pytest.raises(vault.NoDeskAccess):
        vault.open_record_key(tip.vault_record, tipster_key)


def test_it_refuses_an_empty_note(tip, investigator, keys):
    with pytest.raises(actions.Invalid):
        add_note(tip, investigator, keys, body="  \n ")
    assert not Note.objects.exists()


def test_it_cannot_be_written_by_someone_outside_the_task_force(tip, liaison_a, keys):
    with pytest.raises(NotYours):
        add_note(tip, liaison_a, keys)
    assert not Note.objects.exists()


def test_it_cannot_be_written_without_the_desk_key(tip, make_staff, keys):
    newcomer = make_staff("new-investigator", "investigator")  # no triage desk granted yet
    with pytest.raises(vault.NoDeskAccess):
        add_note(tip, newcomer, keys)
    assert not Note.objects.exists()
