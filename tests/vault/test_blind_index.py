import pytest

from portal.vault import blind_index as bi


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("312.555.0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        ("1-312-555-0142", "+13125550142"),
        ("312-555-0142 ext. 9", "+13125550142"),
        ("+52 55 1234 5678", "+525512345678"),
        ("555-0142", None),
        ("call me", None),
        ("", None),
    ],
)
def test_it_normalises_phones_to_e164(typed: str, expected: str | None) -> None:
    assert bi.normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("mailto:jane@example.com", "jane@example.com"),
        ("<jane@example.com>", "jane@example.com"),
        ("J.a.n.e+ads@gmail.com", "jane@gmail.com"),
        ("jane@googlemail.com", "jane@gmail.com"),
        ("jane+x@outlook.com", "jane@outlook.com"),
        ("jane+x@example.com", "jane+x@example.com"),  # "+" may be significant elsewhere
        ("j.doe@example.com", "j.doe@example.com"),  # dots matter outside Gmail
        ("not an email", None),
        ("jane@localhost", None),
        ("+tag@gmail.com", None),
    ],
)
def test_it_normalises_emails(typed: str, expected: str | None) -> None:
    assert bi.normalize_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("@Some_User", "some_user"),
        ("some.user", "some.user"),
        ("  @@x-y ", "x-y"),
        ("two words", None),
        ("@", None),
    ],
)
def test_it_normalises_handles(typed: str, expected: str | None) -> None:
    assert bi.normalize_handle(typed) == expected


@pytest.mark.parametrize(
    ("typed", "url", "domain"),
    [
        ("https://www.Example.com/ads/123/", "example.com/ads/123", "example.com"),
        (
            "http://example.com/ads/123?utm_source=x&id=7#top",
            "example.com/ads/123?id=7",
            "example.com",
        ),
        ("example.com", "example.com", "example.com"),
        ("m.Example.com:443/a", "example.com/a", "example.com"),
        ("https://www.instagram.com/someuser", "instagram.com/someuser", None),
        ("https://bücher.example/x", "xn--bcher-kva.example/x", "xn--bcher-kva.example"),
        ("not a url", None, None),
        ("http://", None, None),
    ],
)
def test_it_normalises_urls_and_domains(typed: str, url: str | None, domain: str | None) -> None:
    assert bi.normalize_url(typed) == url
    assert bi.normalize_domain(typed) == domain


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abc 1234", "ABC1234"),
        ("ABC-1234", "ABC1234"),
        ("7.xyz.12", "7XYZ12"),
        ("A", None),
        ("ÄBC123", None),
    ],
)
def test_it_normalises_plates(typed: str, expected: str | None) -> None:
    assert bi.normalize_plate(typed) == expected


def test_it_matches_equal_values_however_typed() -> None:
    assert bi.blind_index("phone", "(312) 555-0142") == bi.blind_index("phone", "+13125550142")
    assert len(bi.blind_index("phone", "(312) 555-0142") or b"") == bi.INDEX_BYTES == 2


def test_it_returns_none_for_values_that_are_not_identifiers() -> None:
    assert bi.blind_index("email", "nobody") is None
    with pytest.raises(ValueError):
        bi.blind_index("ssn", "123")


def test_it_keys_each_kind_separately() -> None:
    # Same normalised text under two kinds: independent keys, so the hashes are unrelated.
    pairs = [
        (bi.index_of_normalized("handle", f"x{i}"), bi.index_of_normalized("plate", f"x{i}"))
        for i in range(64)
    ]
    assert sum(a == b for a, b in pairs) < 4


def test_it_depends_on_the_index_key(settings) -> None:
    values = [f"+1312555{i:04d}" for i in range(64)]
    before = [bi.index_of_normalized("phone", v) for v in values]
    settings.VAULT_INDEX_KEY = "another index key"
    after = [bi.index_of_normalized("phone", v) for v in values]
    assert sum(a == b for a, b in zip(before, after, strict=True)) < 4


def test_it_truncates_so_a_stolen_index_leaves_many_candidates() -> None:
    # 2^16 possible values: among 200,000 phone numbers each index value recurs about 3 times.
    seen: dict[bytes, int] = {}
    for i in range(200_000):
        digest = bi.index_of_normalized("phone", f"+1312{i:07d}")
        seen[digest] = seen.get(digest, 0) + 1
    assert len(seen) <= 2**16
    assert sum(seen.values()) / len(seen) > 2
