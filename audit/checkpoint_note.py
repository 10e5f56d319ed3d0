"""The text of a checkpoint note and the anchor it gives, with no Django in sight: the offline
verifier (`audit/offline_verify.py`) parses checkpoints with this same code.

    <origin>
    <size>
    <base64 Merkle root of the first `size` leaf hashes>
    chain-head <base64 chain hash of entry `size`>
    signed-at <UTC time, seconds>
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from audit.merkle import HASH_SIZE
from audit.signing import NoteError


@dataclass(frozen=True)
class Anchor:
    """A verified checkpoint to hold the log against."""

    size: int
    root: bytes
    chain_head: bytes | None
    source: str


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    size: int
    root: bytes
    chain_head: bytes | None = None
    signed_at: str = ""

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.chain_head is not None:
            lines.append(f"chain-head {base64.b64encode(self.chain_head).decode()}")
        if self.signed_at:
            lines.append(f"signed-at {self.signed_at}")
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> CheckpointBody:
        lines = text.rstrip("\n").split("\n")
        if len(lines) < 3 or not all(lines):
            raise NoteError("a checkpoint has an origin, a size and a root hash")
        origin, size_text, root_text, *extensions = lines
        if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
            raise NoteError(f"bad checkpoint size {size_text!r}")
        root = _decode_hash(root_text)
        head, signed_at = None, ""
        for line in extensions:
            name, _, value = line.partition(" ")
            if name == "chain-head":
                head = _decode_hash(value)
            elif name == "signed-at":
                signed_at = value
        return cls(origin, int(size_text), root, head, signed_at)

    def anchor(self, source: str) -> Anchor:
        return Anchor(self.size, self.root, self.chain_head, source)


def _decode_hash(text: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise NoteError(f"bad hash {text!r}") from None
    if len(value) != HASH_SIZE:
        raise NoteError(f"bad hash {text!r}")
    return value
