import hashlib

import pytest

from audit.merkle import EMPTY_ROOT, CompactRange, leaf_hash, node_hash, perfect_root, root

# The Certificate Transparency reference inputs and the RFC 6962 roots of their prefixes.
CT_INPUTS = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [leaf_hash(bytes.fromhex(data)) for data in CT_INPUTS]


def reference_root(data: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, word for word, over the entries themselves."""
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(data[:k]) + reference_root(data[k:])).digest()


def test_it_hashes_the_empty_tree_as_sha256_of_nothing():
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert root([]) == EMPTY_ROOT == CompactRange().root()


@pytest.mark.parametrize("size", range(9))
def test_it_matches_the_rfc6962_reference_roots(size):
    assert root(LEAVES[:size]).hex() == CT_ROOTS[size]
    tree = CompactRange()
    tree.extend(LEAVES[:size])
    assert tree.root().hex() == CT_ROOTS[size]
    assert reference_root([bytes.fromhex(d) for d in CT_INPUTS[:size]]).hex() == CT_ROOTS[size]


def test_it_separates_leaves_from_inner_nodes():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


def test_it_agrees_with_the_definition_for_every_size_and_batching():
    data = [f"entry {i}".encode() for i in range(70)]
    leaves = [leaf_hash(item) for item in data]
    for size in range(71):
        expected = reference_root(data[:size])
        assert root(leaves[:size]) == expected
        for batch in (1, 3, 8, 64):
            tree = CompactRange()
            for start in range(0, size, batch):
                tree.extend(leaves[start : min(start + batch, size)])
            assert tree.size == size
            assert tree.root() == expected, (size, batch)
            assert len(tree.hashes) == size.bit_count()


def test_it_restores_a_compact_range_from_bytes():
    tree = CompactRange()
    tree.extend(LEAVES[:7])
    restored = CompactRange.from_bytes(7, tree.to_bytes())
    restored.extend(LEAVES[7:])
    assert restored.root().hex() == CT_ROOTS[8]
    with pytest.raises(ValueError):
        CompactRange.from_bytes(8, tree.to_bytes())  # 8 leaves are one subtree, not three
    with pytest.raises(ValueError):
        CompactRange.from_bytes(7, tree.to_bytes()[:-1])


def test_it_computes_perfect_subtrees_level_by_level():
    assert perfect_root(LEAVES[:4]) == root(LEAVES[:4])
    assert perfect_root(LEAVES[:1]) == LEAVES[0]
