"""The audit viewer in words: targets named, details as terms and values, page views grouped.

Only what the entries hold is shown, never anything decrypted: a tip is named by its number, a
handoff by its organization, a user by their username. The names of one page are looked up
with one query per kind of target, whatever the number of entries. Codes are read with the
labels the staff pages already use (tips and handoff models, `triage_extras`,
`handoff_labels`), so a status reads the same here as on the tip page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.events import Action
from audit.listing import USER_TARGET, EventRow

if TYPE_CHECKING:
    from portal.models import User

# A tip page writes these, one after the other, in one request (triage/reading.py).
VIEWED = frozenset(
    {Action.TIP_VIEWED, Action.NOTE_VIEWED, Action.MESSAGES_VIEWED, Action.RELATED_VIEWED}
)
# Entries of one page view follow each other within this time.
SAME_VIEW = dt.timedelta(seconds=2)
TIP, HANDOFF, ORGANIZATION, DESK = (
    "tips.tip",
    "handoffs.handoff",
    "partners.organization",
    "portal.desk",
)
# Details that name a tip by its code.
TIP_KEYS = frozenset({"tip", "other"})


@dataclass(frozen=True)
class Words:
    """Something named for a person, with a link where the reader may open it."""

    text: str
    url: str = ""
    name: str = ""  # the bare name, for a sentence ("T-2026-00421")


@dataclass(frozen=True)
class Detail:
    term: str
    value: Words


@dataclass(frozen=True)
class Line:
    """One entry in words."""

    row: EventRow
    target: Words | None
    details: list[Detail]
    shown: bool = True  # False for the neighbours of a page, read only to group across its edge


@dataclass
class Item:
    """A row of the page: one entry, or the entries of one page view."""

    lines: list[Line]
    summary: str = ""
    grouped: bool = False
    continues_newer: bool = False  # more of this view is on the previous (newer) page
    continues_older: bool = False  # ... on the next (older) page

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def seq_range(self) -> str:
        seqs = [line.row.seq for line in self.lines if line.row.seq is not None]
        if not seqs:
            return ""
        low, high = min(seqs), max(seqs)
        return str(low) if low == high else f"{high}\N{EN DASH}{low}"


@dataclass
class Names:
    """The names of one page's targets and of the tips its details point at."""

    tips: dict[str, Words] = field(default_factory=dict)
    handoffs: dict[str, Words] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    desks: dict[str, str] = field(default_factory=dict)

    def tip(self, code: str) -> Words:
        name = _short(code)
        return self.tips.get(code) or Words(_("Tip %(number)s") % {"number": name}, name=name)


def _short(code: str) -> str:
    return code[:8] if len(code) > 8 else code


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:  # a target written by hand or by a benchmark: no lookup
            continue
    return found


def _refs(rows: Sequence[EventRow]) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {}
    for row in rows:
        if row.target_type:
            refs.setdefault(row.target_type, set()).add(row.target_id)
        for key in TIP_KEYS & row.details.keys():
            if isinstance(row.details[key], str):
                refs.setdefault(TIP, set()).add(row.details[key])
    return refs


def look_up(rows: Sequence[EventRow], reader: User) -> Names:
    """Every name the rows need: at most one query per kind of target on the page."""
    from handoffs.access import handoffs_for  # noqa: PLC0415 - audit loads before the apps
    from handoffs.models import Handoff  # noqa: PLC0415
    from partners.models import Organization  # noqa: PLC0415
    from portal.vault.models import Desk  # noqa: PLC0415
    from retention.models import TipTombstone  # noqa: PLC0415
    from tips.models import Tip  # noqa: PLC0415
    from triage.access import tips_for  # noqa: PLC0415

    refs, names = _refs(rows), Names()
    if codes := _uuids(refs.get(TIP, ())):
        # The link follows the access rule of the tip page itself.
        open_tips = tips_for(reader).filter(pk=OuterRef("pk"))
        for code, number, may_open in (
            Tip.objects.filter(code__in=codes)
            .annotate(may_open=Exists(open_tips))
            .values_list("code", "number", "may_open")
        ):
            name = number or _short(str(code))
            url = reverse("triage:tip", args=[code]) if may_open else ""
            names.tips[str(code)] = Words(_("Tip %(number)s") % {"number": name}, url, name)
        missing = [code for code in codes if str(code) not in names.tips]
        if missing:
            for (code,) in TipTombstone.objects.filter(code__in=missing).values_list("code"):
                name = _short(str(code))
                names.tips[str(code)] = Words(
                    _("Purged tip %(number)s") % {"number": name}, name=name
                )
    if codes := _uuids(refs.get(HANDOFF, ())):
        open_handoffs = handoffs_for(reader).filter(pk=OuterRef("pk"))
        for code, organization, number, may_open in (
            Handoff.objects.filter(code__in=codes)
            .annotate(may_open=Exists(open_handoffs))
            .values_list("code", "organization__name", "tip__number", "may_open")
        ):
            text = _("Handoff to %(organization)s") % {"organization": organization}
            if number:
                text = f"{text} ({number})"
            url = reverse("handoffs:detail", args=[code]) if may_open else ""
            names.handoffs[str(code)] = Words(text, url)
    if wanted := [pk for pk in refs.get(ORGANIZATION, ()) if pk.isdigit()]:
        names.organizations = {
            str(pk): name
            for pk, name in Organization.objects.filter(pk__in=wanted).values_list("pk", "name")
        }
    if wanted := [pk for pk in refs.get(DESK, ()) if pk.isdigit()]:
        names.desks = {
            str(pk): slug
            for pk, slug in Desk.objects.filter(pk__in=wanted).values_list("pk", "slug")
        }
    return names


def target_words(row: EventRow, names: Names) -> Words | None:
    kind, ident = row.target_type, row.target_id
    if not kind:
        return None
    if kind == TIP:
        return names.tip(ident)
    if kind == HANDOFF:
        return names.handoffs.get(ident) or Words(_("Handoff %(code)s") % {"code": _short(ident)})
    named: dict[str, Callable[[], str]] = {
        USER_TARGET: lambda: _("User %(name)s") % {"name": row.target_name or f"#{ident}"},
        ORGANIZATION: lambda: (
            _("Organization %(name)s") % {"name": names.organizations.get(ident, f"#{ident}")}
        ),
        DESK: lambda: _("Desk %(name)s") % {"name": names.desks.get(ident, f"#{ident}")},
        "portal.recoverykey": lambda: _("The recovery key"),
    }
    return Words(named[kind]() if kind in named else f"{kind} {ident}")


# --- details ----------------------------------------------------------------------------------


def _choices(load: Callable[[], Iterable[tuple[Any, Any]]]) -> Callable[[Any], str]:
    def label(value: Any) -> str:
        return str(dict(load()).get(value, value))

    return label


def _change_value(kind: str) -> Callable[[Any], str]:
    def label(value: Any) -> str:
        from triage.templatetags.triage_extras import change_value  # noqa: PLC0415

        return change_value(str(value), kind)

    return label


def _area(value: Any) -> str:
    from triage.templatetags.triage_extras import area_label  # noqa: PLC0415

    return area_label(str(value))


def _handoff_label(value: Any) -> str:
    from handoffs.models import Consent  # noqa: PLC0415
    from handoffs.templatetags.handoff_labels import label  # noqa: PLC0415

    text = label(str(value))
    return text if text != value else str(dict(Consent.Method.choices).get(value, value))


def _close_reasons() -> Iterable[tuple[Any, Any]]:
    from tips.models import CloseReason  # noqa: PLC0415

    return CloseReason.choices


def _outcomes() -> Iterable[tuple[Any, Any]]:
    from handoffs.models import Outcome  # noqa: PLC0415

    return Outcome.choices


def _link_kinds() -> Iterable[tuple[Any, Any]]:
    from triage.models import Link  # noqa: PLC0415

    return Link.Kind.choices


def _agencies() -> Iterable[tuple[Any, Any]]:
    from triage.models import MinorReport  # noqa: PLC0415

    return MinorReport.Agency.choices


def _destinations() -> Iterable[tuple[Any, Any]]:
    from triage.models import Referral  # noqa: PLC0415

    return Referral.Destination.choices


def _roles() -> Iterable[tuple[Any, Any]]:
    from portal.roles import Role  # noqa: PLC0415

    return Role.choices


def _through() -> Iterable[tuple[str, Any]]:
    return [("web", _("the web page")), ("api", _("the API")), ("command", _("a command"))]


def _action(value: Any) -> str:
    try:
        return str(Action.parse(value).label)
    except ValueError:
        return str(value)


def _when(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if len(str(value)) <= len("2026-01-01"):
        return moment.date().isoformat()
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def _plain(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{readable_key(k)}: {_plain(v)}" for k, v in sorted(value.items()))
    return str(value)


def _each(label: Callable[[Any], str]) -> Callable[[Any], str]:
    def labels(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(label(item) for item in value) or "—"
        return label(value)

    return labels


def _short_code(value: Any) -> str:
    return _short(str(value))


def _filters(value: Any) -> str:
    if not value:
        return _("none")
    if not isinstance(value, dict):
        return _plain(value)
    parts = []
    for key, item in sorted(value.items()):
        term, show = TERMS.get(key, (None, _plain))
        text = _action(item) if key == "action" else show(item)
        parts.append(f"{term or readable_key(key)}: {text}")
    return "; ".join(parts)


# key -> (term, how its value reads). A key not here reads as "Its key: its value".
TERMS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "action": (gettext_lazy("Action"), _action),
    "actor": (gettext_lazy("Actor"), _plain),
    "agency": (gettext_lazy("Agency"), _choices(_agencies)),
    "approved": (gettext_lazy("Approved"), _plain),
    "area": (gettext_lazy("Area"), _area),
    "assignee": (gettext_lazy("Assigned to"), _plain),
    "attachment": (gettext_lazy("File"), _short_code),
    "attachments": (gettext_lazy("Files"), _plain),
    "candidates": (gettext_lazy("Candidates"), _plain),
    "category": (gettext_lazy("Category"), _change_value("categorize")),
    "change": (gettext_lazy("Change record"), lambda value: f"#{value}"),
    "changed": (gettext_lazy("Changed"), _plain),
    "channel": (gettext_lazy("Through"), _choices(_through)),
    "checked": (gettext_lazy("Entries checked"), _plain),
    "close_reason": (gettext_lazy("Close reason"), _choices(_close_reasons)),
    "consent": (gettext_lazy("Consent record"), _short_code),
    "count": (gettext_lazy("Count"), _plain),
    "date_from": (gettext_lazy("From"), _plain),
    "date_to": (gettext_lazy("To"), _plain),
    "destination": (gettext_lazy("Destination"), _choices(_destinations)),
    "expires": (gettext_lazy("Expires"), _when),
    "fields": (gettext_lazy("Fields"), _plain),
    "filters": (gettext_lazy("Filters"), _filters),
    "first": (gettext_lazy("First entry"), _plain),
    "first_bad": (gettext_lazy("First bad entry"), _plain),
    "four_eyes": (gettext_lazy("Second person approves"), _plain),
    "from": (gettext_lazy("From"), _when),
    "held": (gettext_lazy("Kept under legal hold"), _plain),
    "kind": (gettext_lazy("Kind"), _choices(_link_kinds)),
    "last": (gettext_lazy("Last entry"), _plain),
    "matches": (gettext_lazy("Matches"), _plain),
    "message": (gettext_lazy("Message"), _short_code),
    "messages": (gettext_lazy("Tipster messages"), _plain),
    "method": (gettext_lazy("Method"), _handoff_label),
    "note": (gettext_lazy("Note"), _short_code),
    "notes": (gettext_lazy("Notes"), _plain),
    "ok": (gettext_lazy("Intact"), _plain),
    "on_call": (gettext_lazy("On call"), _plain),
    "outcome": (gettext_lazy("Outcome"), _choices(_outcomes)),
    "page": (gettext_lazy("Page"), _plain),
    "postponed": (gettext_lazy("Postponed"), _plain),
    "priority_level": (gettext_lazy("Priority"), _change_value("reprioritize")),
    "problem": (gettext_lazy("Problem"), _plain),
    "purge_after": (gettext_lazy("Purge after"), _when),
    "purged": (gettext_lazy("Purged"), _plain),
    "reason": (gettext_lazy("Reason"), _plain),
    "recipients": (gettext_lazy("Recipients"), _plain),
    "referral": (gettext_lazy("Referral"), _short_code),
    "related": (gettext_lazy("Related tips"), _plain),
    "remaining": (gettext_lazy("Backup codes left"), _plain),
    "reveal": (gettext_lazy("Reveal request"), _short_code),
    "review_due": (gettext_lazy("Review due"), _when),
    "role": (gettext_lazy("Role"), _choices(_roles)),
    "scope": (gettext_lazy("Consent covers"), _each(_handoff_label)),
    "services": (gettext_lazy("Services"), _each(_handoff_label)),
    "services_provided": (gettext_lazy("Services provided"), _each(_handoff_label)),
    "target_id": (gettext_lazy("Target id"), _plain),
    "target_type": (gettext_lazy("Target type"), _plain),
    "to": (gettext_lazy("To"), _when),
    "via": (gettext_lazy("Through"), _choices(_through)),
    "victim_self_report": (gettext_lazy("Victim asking for help"), _plain),
    "what": (gettext_lazy("Category"), _change_value("categorize")),
}
# Changes recorded as two keys read as one: "Status: New → In review".
PAIRS: list[tuple[str, str, Any, Callable[[Any], str]]] = [
    ("from_status", "to_status", gettext_lazy("Status"), _change_value("transition")),
    ("from_category", "to_category", gettext_lazy("Category"), _change_value("categorize")),
    ("from_level", "to_level", gettext_lazy("Priority"), _change_value("reprioritize")),
]


def readable_key(key: str) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def details_words(row: EventRow, names: Names) -> list[Detail]:
    details = dict(row.details)
    words: list[Detail] = []
    for before, after, term, label in PAIRS:
        if before in details and after in details:
            old, new = details.pop(before), details.pop(after)
            text = f"{label(old) if old not in (None, '') else '—'} → {label(new)}"
            words.append(Detail(str(term), Words(text)))
    for key in sorted(details):
        value = details[key]
        if key in TIP_KEYS and isinstance(value, str):
            term = _("Other tip") if key == "other" else _("Tip")
            words.append(Detail(term, names.tip(value)))
            continue
        term, show = TERMS.get(key, (None, _plain))
        try:
            text = show(value)
        except (TypeError, ValueError):  # an odd value from an older entry: as it is
            text = _plain(value)
        words.append(Detail(str(term) if term else readable_key(key), Words(text)))
    return words


# --- grouping ---------------------------------------------------------------------------------


def _opens_the_view(group: list[Line], action: int, seq: int) -> bool:
    """TIP_VIEWED is a page view's first entry: nothing older than it belongs to that view."""
    others = [(line.row.action_code, line.row.seq) for line in group if line.row.seq is not None]
    if action == Action.TIP_VIEWED:
        return all(other > seq for _action, other in others)
    return all(other < seq for code, other in others if code == Action.TIP_VIEWED)


def _joins(group: list[Line], line: Line) -> bool:
    last, row = group[-1].row, line.row
    if row.seq is None or last.seq is None:
        return False
    return (
        row.action_code in VIEWED
        and last.action_code in VIEWED
        and row.action_code not in {other.row.action_code for other in group}
        and row.actor == last.actor
        and (row.target_type, row.target_id) == (last.target_type, last.target_id)
        and row.target_type == TIP
        and abs(row.seq - last.seq) == 1
        and abs(row.at - last.at) <= SAME_VIEW
        and _opens_the_view(group, row.action_code, row.seq)
    )


def _count(line: Line, key: str) -> int | None:
    value = line.row.details.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _notes(n: int) -> str:
    return ngettext("%(n)d note", "%(n)d notes", n) % {"n": n}


def _messages(n: int) -> str:
    return ngettext("%(n)d tipster message", "%(n)d tipster messages", n) % {"n": n}


def _related(n: int) -> str:
    return ngettext("%(n)d related tip", "%(n)d related tips", n) % {"n": n}


# The parts of a page view, in the order its summary names them, and the count each carries.
VIEW_PARTS: list[tuple[Action, str, Callable[[int], str]]] = [
    (Action.NOTE_VIEWED, "notes", _notes),
    (Action.MESSAGES_VIEWED, "messages", _messages),
    (Action.RELATED_VIEWED, "related", _related),
]


def view_summary(lines: list[Line]) -> str:
    """ "Opened tip T-2026-00421: the tip, 3 notes, 2 tipster messages, 4 related tips"."""
    by_action = {line.row.action_code: line for line in lines}
    parts = [_("the tip")] if Action.TIP_VIEWED in by_action else []
    for action, key, words in VIEW_PARTS:
        if action in by_action:
            n = _count(by_action[action], key)
            parts.append(words(n) if n is not None else str(action.label))
    target = lines[0].target
    tip = (target.name or target.text) if target else lines[0].row.target_id
    return _("Opened tip %(tip)s: %(parts)s") % {"tip": tip, "parts": ", ".join(parts)}


def items(lines: list[Line]) -> list[Item]:
    """The page's rows: each entry once, the entries of one page view together.

    `lines` may start and end with an entry of the neighbouring pages (`shown=False`): it is
    never shown, only lets a view cut by the page's edge say so.
    """
    groups: list[list[Line]] = []
    for line in lines:
        if groups and _joins(groups[-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    result = []
    for group in groups:
        inside = [line for line in group if line.shown]
        if not inside:
            continue
        item = Item(inside, grouped=len(group) > 1)
        if item.grouped:
            item.summary = view_summary(inside)
            item.continues_newer = not group[0].shown
            item.continues_older = not group[-1].shown
        result.append(item)
    return result


def page_items(rows: Sequence[EventRow], shown: Sequence[bool], reader: User) -> list[Item]:
    names = look_up(rows, reader)
    lines = [
        Line(row, target_words(row, names), details_words(row, names), visible)
        for row, visible in zip(rows, shown, strict=True)
    ]
    return items(lines)
