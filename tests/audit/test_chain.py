import pytest

from audit import Action, record
from audit.chain import ChainVerifier, iter_chunks, verify_log
from audit.checkpoint import Anchor
from audit.encoding import ZERO_HASH, encode_entry, entry_hashes
from audit.merkle import root
from audit.testing import link_entries


def make_rows(count: int) -> list[tuple[int, bytes, bytes, bytes]]:
    rows, prev = [], ZERO_HASH
    for seq in range(1, count + 1):
        canon = encode_entry(
            seq=seq,
            at="2026-01-01T00:00:00.000000Z",
            actor="system",
            action=701,
            target=None,
            details={"n": seq},
        )
        _leaf, chain = entry_hashes(prev, canon)
        rows.append((seq, canon, prev, chain))
        prev = chain
    return rows


def run(rows, chunk=4, anchors=()):
    verifier = ChainVerifier(anchors)
    for start in range(0, len(rows), chunk):
        if not verifier.feed(rows[start : start + chunk]):
            break
    return verifier.finish()


def leaves_of(rows):
    from audit.merkle import leaf_hash

    return [leaf_hash(canon) for _seq, canon, _prev, _chain in rows]


def test_it_accepts_an_intact_chain_in_any_chunking():
    rows = make_rows(37)
    for chunk in (1, 4, 16, 100):
        report = run(rows, chunk)
        assert (report.ok, report.checked, report.first_bad) == (True, 37, None)
        assert report.head == rows[-1][3]
        assert report.root == root(leaves_of(rows))


def test_it_names_a_modified_entry():
    rows = make_rows(10)
    seq, canon, prev, chain = rows[6]
    rows[6] = (seq, canon.replace(b'"n":7', b'"n":8'), prev, chain)
    report = run(rows)
    assert (report.ok, report.first_bad, report.checked) == (False, 7, 6)
    assert "modified" in report.problem


def test_it_names_a_deleted_entry():
    rows = make_rows(10)
    del rows[4]
    report = run(rows)
    assert report.first_bad == 5
    assert "entry 5 is missing" in report.problem


def test_it_names_a_deletion_hidden_by_renumbering():
    rows = make_rows(10)
    del rows[4]
    rows = [(index + 1, *row[1:]) for index, row in enumerate(rows)]
    report = run(rows)
    assert report.first_bad == 5
    assert "does not link" in report.problem


def test_it_names_a_reordered_entry():
    rows = make_rows(10)
    rows[2], rows[3] = (3, *rows[3][1:]), (4, *rows[2][1:])
    report = run(rows)
    assert report.first_bad == 3
    assert "does not link" in report.problem


def test_it_finds_a_truncated_tail_against_a_checkpoint():
    rows = make_rows(12)
    anchor = Anchor(12, root(leaves_of(rows)), rows[-1][3], "file")
    assert run(rows, anchors=[anchor]).ok
    report = run(rows[:9], anchors=[anchor])
    assert (report.ok, report.first_bad, report.checked) == (False, 10, 9)
    assert "entries 10-12 were removed" in report.problem


def test_it_finds_a_rewrite_that_recomputed_the_chain():
    original = make_rows(12)
    anchors = [
        Anchor(4, root(leaves_of(original[:4])), original[3][3], "database"),
        Anchor(8, root(leaves_of(original[:8])), original[7][3], "database"),
    ]
    forged = make_rows(12)
    seq, canon, _prev, _chain = forged[5]
    forged[5] = (seq, canon.replace(b'"actor":"system"', b'"actor":"anonymous"'), b"", b"")
    prev = forged[4][3]
    for index in range(5, 12):  # the attacker recomputes every hash after the change
        seq, canon, _p, _c = forged[index]
        _leaf, chain = entry_hashes(prev, canon)
        forged[index] = (seq, canon, prev, chain)
        prev = chain
    assert run(forged).ok  # the chain alone cannot see it
    report = run(forged, anchors=anchors)
    assert (report.ok, report.first_bad) == (False, 5)
    assert "rewritten after entry 4" in report.problem


def test_it_can_start_from_a_trusted_state():
    rows = make_rows(20)
    first = ChainVerifier()
    first.feed(rows[:13])
    rest = ChainVerifier(size=13, head=first.head, tree=first.tree.copy())
    rest.feed(rows[13:])
    assert rest.finish().root == root(leaves_of(rows))
    stranger = ChainVerifier(size=13, head=ZERO_HASH, tree=first.tree.copy())
    assert not stranger.feed(rows[13:])
    assert stranger.first_bad == 14


@pytest.mark.django_db
def test_it_streams_the_database_in_chunks():
    for _ in range(11):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    chunks = list(iter_chunks(chunk_size=4))
    assert [len(chunk) for chunk in chunks] == [4, 4, 3]
    assert [row[0] for chunk in chunks for row in chunk] == list(range(1, 12))
    assert [len(chunk) for chunk in iter_chunks(after=8, chunk_size=4)] == [3]
    report = verify_log(chunk_size=4)
    assert (report.ok, report.checked) == (True, 11)


@pytest.mark.django_db
def test_it_finds_an_index_column_edited_to_hide_an_entry(tamper):
    for _ in range(6):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    tamper("UPDATE audit_event SET action = %s WHERE seq = 4", [int(Action.TIP_VIEWED)])
    report = verify_log()
    assert (report.ok, report.first_bad) == (False, 4)
    assert "indexed columns" in report.problem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "system"),
        ("target_type", "triage.handoff"),
        ("target_id", "elsewhere"),
        ("at", "2001-01-01 00:00:00"),
        ("seq", 99),
    ],
)
def test_it_checks_every_indexed_column(tamper, column, value):
    for _ in range(3):
        record(Action.TIP_SUBMITTED, actor=None, target=("tips.tip", "abc"))
    link_entries()
    tamper(f"UPDATE audit_event SET {column} = %s WHERE seq = 3", [value])  # noqa: S608
    assert not verify_log().ok


@pytest.mark.django_db
def test_it_steps_over_gaps_without_scanning_them(tamper):
    for _ in range(6):
        record(Action.TIP_SUBMITTED, actor=None)
    link_entries()
    tamper("DELETE FROM audit_event WHERE seq IN (3, 4)")
    far = 10**15  # a forged entry far ahead must not cost 10**15 / chunk queries
    tamper(
        "INSERT INTO audit_event (seq, at, actor, action, target_type, target_id, canon, prev,"
        " chain) SELECT %s, at, actor, action, target_type, target_id, canon, prev, chain"
        " FROM audit_event WHERE seq = 6",
        [far],
    )
    chunks = list(iter_chunks(chunk_size=2))
    assert [[row[0] for row in chunk] for chunk in chunks] == [[1, 2], [5, 6], [far]]
    report = verify_log(chunk_size=2)
    assert (report.ok, report.first_bad) == (False, 3)
