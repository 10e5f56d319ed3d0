"""Trafficking indicators the form offers, grouped as the DHS Blue Campaign groups them.

No single sign is proof; together they help investigators decide what to look at first. Nothing
here asks about race or ethnicity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

INDICATOR_GROUPS: list[tuple[str, StrOrPromise, list[tuple[str, StrOrPromise]]]] = [
    (
        "control",
        _("Signs of control"),
        [
            (
                "controlled_by_other",
                _("Someone else seems to speak for them or control where they go"),
            ),
            ("not_free_to_leave", _("They do not seem free to leave or come and go")),
            ("fearful", _("They seem afraid, anxious or submissive, especially around someone")),
            ("signs_of_abuse", _("Signs of physical abuse, restraint or confinement")),
            ("no_money_control", _("Someone else holds their money or pay")),
        ],
    ),
    (
        "conditions",
        _("Working and living conditions"),
        [
            ("excessive_hours", _("Very long hours, few or no days off")),
            ("lives_at_work", _("Lives where they work, or is moved between places")),
            ("debt", _("Owes a debt they cannot pay off")),
            ("unpaid", _("Little or no pay, or paid only in tips")),
            ("many_occupants", _("Many people living in a small space")),
        ],
    ),
    (
        "travel",
        _("Travel and documents"),
        [
            ("no_documents", _("Does not hold their own ID or passport")),
            ("recently_arrived", _("Recently arrived and does not know the area or address")),
            ("transported_by_other", _("Is always driven or escorted by someone else")),
        ],
    ),
    (
        "behaviour",
        _("Behaviour"),
        [
            ("scripted_answers", _("Answers seem rehearsed or scripted")),
            (
                "inconsistent_story",
                _("Story does not add up, or age seems different from what is said"),
            ),
            ("online_ads", _("Appears in online ads for commercial sex or massage")),
        ],
    ),
]

INDICATOR_CODES: frozenset[str] = frozenset(
    code for _group, _label, items in INDICATOR_GROUPS for code, _text in items
)
