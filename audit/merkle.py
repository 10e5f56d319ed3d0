"""RFC 6962 (Certificate Transparency) Merkle tree hashing, in-house and small.

    leaf     = SHA-256(0x00 || data)
    node     = SHA-256(0x01 || left || right)
    MTH([])  = SHA-256("")
    MTH(D_n) = node(MTH(D[0:k]), MTH(D[k:n]))   k = the largest power of two smaller than n

The 0x00/0x01 prefixes keep a leaf from ever being mistaken for an inner node. Using the
standard hashing means an outside tool can recompute our checkpoints' roots.

`CompactRange` keeps only the roots of the perfect subtrees that make up a tree of any size
(one per set bit of the size, so at most 64 hashes): it grows by whole batches of leaves and
gives the root at any moment, in bounded memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32

_sha256 = hashlib.sha256
_LEAF_PREFIX = _sha256(b"\x00")


def leaf_hash(data: bytes) -> bytes:
    h = _LEAF_PREFIX.copy()  # copying a primed state beats concatenating 0x00 onto every entry
    h.update(data)
    return h.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def root(leaves: Sequence[bytes]) -> bytes:
    """The root over leaf hashes, straight from the definition (for small trees and tests)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def perfect_root(leaves: Sequence[bytes]) -> bytes:
    """Root of a perfect subtree (len(leaves) a power of two), level by level: no recursion."""
    level = leaves
    sha = _sha256
    while len(level) > 1:
        level = [
            sha(b"\x01" + left + right).digest()
            for left, right in zip(level[::2], level[1::2], strict=True)
        ]
    return level[0]


class CompactRange:
    """The Merkle tree state for leaves [0, size), in O(log size) memory."""

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} subtree roots")
        self.size = size
        self.hashes = list(hashes)

    @classmethod
    def from_bytes(cls, size: int, packed: bytes) -> CompactRange:
        if len(packed) % HASH_SIZE:
            raise ValueError("a packed compact range is a whole number of hashes")
        hashes = [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)]
        return cls(size, hashes)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)

    def _push(self, node: bytes, height: int) -> None:
        # Binary addition of 2**height leaves: merge with equal-sized subtrees on the right.
        size, hashes, bit = self.size, self.hashes, 1 << height
        while size & bit:
            node = node_hash(hashes.pop(), node)
            bit <<= 1
        hashes.append(node)
        self.size = size + (1 << height)

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaf hashes, hashing each aligned power-of-two run as one perfect subtree."""
        start, count = 0, len(leaves)
        while start < count:
            height = (count - start).bit_length() - 1
            if self.size:
                # A subtree must start at a multiple of its own size.
                height = min(height, (self.size & -self.size).bit_length() - 1)
            end = start + (1 << height)
            self._push(perfect_root(leaves[start:end]), height)
            start = end

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        result = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            result = node_hash(left, result)
        return result
