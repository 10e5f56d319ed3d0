"""Identifiers in a tip, for blind indexing: phones, emails, handles, URLs, domains, plates.

Two sources: the structured lists the tip form collects (`extract_from_fields`, which also reports
values that are not what their field says) and the free text (`extract_from_text`). Every value
is normalised by the vault's normalisers (`portal.vault.blind_index`), so the same phone typed
five ways is one `Identifier` and one index.

Free text is untrusted and may be hostile, so:
- only the first `MAX_TEXT_CHARS` of each text are read, and at most `MAX_IDENTIFIERS` are kept;
- every regex uses bounded quantifiers and no nested repetition, and candidates start only at a
  token boundary (a lookbehind), so matching stays linear in the length of the text;
- each kind is matched in turn and its matches are blanked out before the next kind runs, so an
  email's domain is not also a bare domain, a URL's digits are not a phone, and so on.

Heuristics that keep ordinary prose from becoming identifiers:
- a bare domain (no scheme) needs `www.` or a TLD from `BARE_TLDS`, so "file.txt" or a missing
  space after a full stop ("left.It was") is not a domain;
- an @handle needs a letter ("meet @10.30" is a time);
- a plate must follow a label ("plate", "tag", "license plate", optionally "number"/"#"/"is")
  and contain a digit, unless it was written in capitals (a vanity plate) and is not a
  placeholder such as "NONE".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import phonenumbers

from portal.vault.blind_index import Kind, blind_index, normalize

MAX_TEXT_CHARS = 20_000
MAX_IDENTIFIERS = 200
MAX_VALUE_CHARS = 2_048

# Structured field name -> the kind its values are.
FIELD_KINDS: dict[str, str] = {
    "phones": Kind.PHONE.value,
    "emails": Kind.EMAIL.value,
    "handles": Kind.HANDLE.value,
    "urls": Kind.URL.value,
    "plates": Kind.PLATE.value,
}

# TLDs accepted for a bare domain without "www.": common ones in tips, leaving out ccTLDs that
# are everyday English words ("in", "is", "it", "to", "at", "be", "no", "so").
BARE_TLDS = frozenset(
    {
        "com", "net", "org", "info", "biz", "us", "io", "co", "me", "tv", "ly", "gg", "ee",
        "cc", "ws", "app", "xyz", "online", "site", "club", "vip", "gov", "edu", "ca", "uk",
        "mx", "de", "fr", "es", "ru", "cn", "au", "nz", "ph", "vn", "th", "br",
    }
)  # fmt: skip

# Placeholders people type where a plate would go; in capitals they would pass as vanity plates.
_NOT_PLATES = frozenset({"NONE", "UNKNOWN", "UNK", "NA", "NO", "YES", "MISSING", "UNSURE", "TBD"})

_URL_CHARS = r"[^\s<>\"'`{}|\\^\[\]]"
_TRAILING = ".,;:!?"

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}")
_SCHEME_URL = re.compile(rf"(?<![A-Za-z0-9])https?://{_URL_CHARS}{{1,2048}}", re.IGNORECASE)
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9._%+@/:=&?#-])"
    r"(?P<host>[A-Za-z0-9][A-Za-z0-9-]{0,62}\.[A-Za-z0-9.-]{1,190})(?![A-Za-z0-9.-])"
    rf"(?P<path>/{_URL_CHARS}{{0,2048}})?"
)
_HANDLE = re.compile(
    r"(?<![A-Za-z0-9_.@+%-])@(?P<handle>[A-Za-z0-9_.]{2,30})(?![A-Za-z0-9_@]|\.[A-Za-z0-9_])"
)
_PLATE = re.compile(
    r"\b(?:licen[cs]e\s{0,3})?(?:plates?|tags?)\b"
    r"(?:\s{0,3}(?:number|num|no\.?|#))?"
    r"(?:\s{1,3}(?:is|was|reads|read))?"
    r"\s{0,3}[:#=-]?\s{0,3}"
    r"(?P<plate>[A-Za-z0-9]{1,8}(?:[ -][A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LETTERS = re.compile(r"[A-Za-z]{2,24}")


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str  # normalised, e.g. "+18165550142"


class _Found:
    """Identifiers in first-found order, up to `MAX_IDENTIFIERS`."""

    def __init__(self) -> None:
        self.items: dict[Identifier, None] = {}

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_IDENTIFIERS

    def add(self, kind: str, raw: str) -> bool:
        """Normalise and keep `raw`; False when it is not a `kind` (nothing is kept)."""
        value = normalize(kind, raw)
        if value is None:
            return False
        if not self.full:
            self.items[Identifier(kind, value)] = None
        return True

    def add_url(self, raw: str) -> bool:
        if not self.add(Kind.URL.value, raw):
            return False
        self.add(Kind.DOMAIN.value, raw)  # None for big platforms: that is not an error
        return True


def _trim_url(text: str) -> str:
    text = text.rstrip(_TRAILING)
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(_TRAILING)
    return text


def _valid_host(host: str, *, bare: bool) -> bool:
    labels = host.lower().split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return False
    tld = labels[-1]
    if not _LETTERS.fullmatch(tld):
        return False
    return not bare or labels[0] == "www" or tld in BARE_TLDS


# Each pass takes a match and returns how many of its characters (from the start) it used: those
# are blanked so that later passes do not see them again; 0 when the match is not taken.


def _taken(match: re.Match[str], ok: bool) -> int:
    return len(match.group()) if ok else 0


def _email(match: re.Match[str], found: _Found) -> int:
    local, domain = match.group().split("@", 1)
    local, domain = local.strip("."), domain.rstrip(".-")
    if not local or not _valid_host(domain, bare=False):
        return 0
    return _taken(match, found.add(Kind.EMAIL.value, f"{local}@{domain}"))


def _scheme_url(match: re.Match[str], found: _Found) -> int:
    return _taken(match, found.add_url(_trim_url(match.group())))


def _bare_url(match: re.Match[str], found: _Found) -> int:
    host = match.group("host").rstrip(".-")
    if not _valid_host(host, bare=True):
        return 0
    path = _trim_url(match.group("path") or "")
    return _taken(match, found.add_url(host + path))


def _handle(match: re.Match[str], found: _Found) -> int:
    handle = match.group("handle").strip(".")
    if len(handle) < 2 or not re.search(r"[A-Za-z]", handle):
        return 0
    return _taken(match, found.add(Kind.HANDLE.value, handle))


def _plate(match: re.Match[str], found: _Found) -> int:
    raw = match.group("plate")
    head, sep, tail = raw.replace("-", " ").partition(" ")
    # "ABC 1234" / "abc-1234" / "7XY 12Z" is one plate; in "ABC1234 was seen" or "KC4521 I think"
    # the second word is prose, and in "ABC1234 816-555-0142" it starts a phone, left for the
    # phone matcher.
    joined = sep and any(char.isdigit() for char in tail)
    used = raw if joined and len(head + tail) <= 8 else raw[: len(head)]
    plate = head + tail if used == raw else head
    has_digit = any(char.isdigit() for char in plate)
    vanity = plate.isupper() and plate not in _NOT_PLATES
    if not (has_digit or vanity) or not found.add(Kind.PLATE.value, plate):
        return 0
    return match.start("plate") - match.start() + len(used)


_PASSES = (
    (_EMAIL, _email),
    (_SCHEME_URL, _scheme_url),
    (_BARE_URL, _bare_url),
    (_HANDLE, _handle),
    (_PLATE, _plate),
)


def _from_text(text: str, found: _Found) -> None:
    text = text[:MAX_TEXT_CHARS]
    for pattern, take in _PASSES:
        if found.full:
            return

        def blank(match: re.Match[str], take=take) -> str:
            used = take(match, found)
            return " " * used + match.group()[used:]

        text = pattern.sub(blank, text)
    for match in phonenumbers.PhoneNumberMatcher(
        text, "US", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        if found.full:
            return
        found.add(Kind.PHONE.value, match.raw_string)


def extract_from_text(text: str) -> set[Identifier]:
    """The identifiers in free text (its first `MAX_TEXT_CHARS`), at most `MAX_IDENTIFIERS`."""
    found = _Found()
    _from_text(text, found)
    return set(found.items)


def _from_fields(identifiers: Mapping[str, Iterable[str]], found: _Found) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    unknown = set(identifiers) - set(FIELD_KINDS)
    if unknown:
        raise ValueError(f"unknown identifier fields: {sorted(unknown)}")
    for field, kind in FIELD_KINDS.items():
        for raw in identifiers.get(field, ()):
            if found.full:
                return errors
            value = raw.strip()
            if not value:
                continue
            if len(value) > MAX_VALUE_CHARS:
                ok = False
            elif kind == Kind.URL.value:
                ok = found.add_url(value)
            else:
                ok = found.add(kind, value)
            if not ok:
                errors.setdefault(field, []).append(value)
    return errors


def extract_from_fields(
    identifiers: Mapping[str, Iterable[str]],
) -> tuple[set[Identifier], dict[str, list[str]]]:
    """Identifiers from the form's `{phones, emails, handles, urls, plates}` lists.

    Returns the identifiers (a URL also gives its domain) and, per field, the values (stripped)
    that do not normalise, for the form to report in its own words. Blank values are skipped;
    an unknown field name is a programming error (`ValueError`). Processing stops at
    `MAX_IDENTIFIERS`.
    """
    found = _Found()
    errors = _from_fields(identifiers, found)
    return set(found.items), errors


def extract_all(identifiers: Mapping[str, Iterable[str]], *texts: str) -> set[Identifier]:
    """Structured identifiers (invalid ones ignored) and those in each text, capped overall."""
    found = _Found()
    _from_fields(identifiers, found)
    for text in texts:
        _from_text(text, found)
    return set(found.items)


def index_values(found: Iterable[Identifier]) -> list[tuple[str, bytes]]:
    """`(kind, blind index)` pairs, sorted and without duplicates, ready to store."""
    pairs: set[tuple[str, bytes]] = set()
    for identifier in found:
        index = blind_index(identifier.kind, identifier.value)
        if index is not None:
            pairs.add((identifier.kind, index))
    return sorted(pairs)
