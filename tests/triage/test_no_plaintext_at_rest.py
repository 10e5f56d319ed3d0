"""After a day of triage and handoffs, nothing staff or tipsters typed is in the database."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from handoffs import actions as handoff_actions
from partners.models import Organization
from portal import vault
from tests.readers import database_text
from tips.submission import Contact
from triage import actions

TYPED = [
    "Vermilion Laundromat on Ashcombe Road",  # the tip
    "Zebulon Featherstonehaugh",  # the tipster's name (contact)
    "Ottoline checked the Ashcombe lease",  # a note
    "Because Quillfeather confirmed the van",  # a transition reason
    "Need to ask Featherstonehaugh about dates",  # a reveal reason
    "Quimby vice unit wants the ledger",  # a referral reason
    "DCF report QX-77115",  # a minor report reference
    "Which door does Marchbanks use?",  # a message to the tipster
    "Fenwick needs a bed tonight",  # the handoff summary
    "Call Esmeralda Thistlewood after 6pm",  # the handoff identity (consented)
    "Liaison reached Thistlewood at the shelter",  # the liaison's note
]

# Names no schema or code contains, so a value split or re-encoded is still caught.
DISTINCT_WORDS = [
    "Vermilion",
    "Ashcombe",
    "Featherstonehaugh",
    "Ottoline",
    "Quillfeather",
    "Quimby",
    "QX-77115",
    "Marchbanks",
    "Fenwick",
    "Esmeralda",
    "Thistlewood",
]


def test_it_keeps_no_staff_or_tipster_text_in_the_database(
    submit, investigator, keys, make_staff, recovery_key
):
    tip, _receipt = submit(
        description=TYPED[0],
        minor_involved="yes",
        contact=Contact(name=TYPED[1], phone="816 555 0100", may_contact=True),
    )
    mine = keys(investigator)
    actions.do_claim(tip, acting_user=investigator)
    actions.do_add_note(tip, TYPED[2], acting_user=investigator, unlocked=mine)
    actions.do_transition(
        tip, "investigating", acting_user=investigator, reason=TYPED[3], unlocked=mine
    )
    actions.do_request_reveal(tip, TYPED[4], acting_user=investigator, unlocked=mine)
    actions.do_refer(tip, "city_vice", TYPED[5], acting_user=investigator, unlocked=mine)
    actions.do_record_minor_report(
        tip, "kansas_dcf", TYPED[6], acting_user=investigator, unlocked=mine
    )
    actions.do_message_tipster(tip, TYPED[7], acting_user=investigator)

    organization = Organization.objects.create(
        slug="shelter-a", name="Shelter A", services=["shelter"]
    )
    vault.create_organization_desk(organization)
    liaison = make_staff("lia-shelter", "liaison", org_slug="shelter-a")
    vault.grant_desk_with_recovery(vault.get_desk("shelter-a"), liaison, recovery_key)
    handoff = handoff_actions.do_create_handoff(
        tip,
        handoff_actions.NewHandoff(
            organization=organization,
            services=("shelter",),
            summary=TYPED[8],
            identity=handoff_actions.Identity(contact=TYPED[9]),
            consent=handoff_actions.ConsentGiven(
                method="verbal",
                scope=("contact",),
                expires_at=timezone.localdate() + timedelta(days=30),
            ),
        ),
        acting_user=investigator,
    )
    handoff_actions.do_accept(handoff, acting_user=liaison)
    handoff_actions.do_add_note(handoff, TYPED[10], acting_user=liaison)

    dump = database_text()
    for text in TYPED + DISTINCT_WORDS:
        assert text not in dump, f"{text!r} found in the database"
