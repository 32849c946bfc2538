"""Merkle trees over ledger record hashes, so one record can be proven without the whole ledger.

The tree follows RFC 6962 / RFC 9162 (Certificate Transparency): leaves are ``SHA-256(0x00 ||
record hash)``, inner nodes ``SHA-256(0x01 || left || right)``, and a tree of ``n`` leaves splits
at the largest power of two below ``n``. The domain-separation bytes stop a leaf from being
passed off as an inner node. `verify_proof` is deliberately standalone (standard library only):
an auditor can copy it and check a proof offline against a published root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def _leaf(record_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(record_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below `size` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _subtree_root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_subtree_root(leaves[:k]), _subtree_root(leaves[k:]))


def merkle_root(record_hashes: Sequence[str]) -> str:
    """The Merkle tree hash (hex) over `record_hashes` in ledger order."""
    if not record_hashes:
        return EMPTY_ROOT
    return _subtree_root([_leaf(h) for h in record_hashes]).hex()


def _path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(leaves[:k], index), _subtree_root(leaves[k:])]
    return [*_path(leaves[k:], index - k), _subtree_root(leaves[:k])]


def inclusion_path(record_hashes: Sequence[str], index: int) -> list[str]:
    """The audit path (sibling hashes, bottom-up, hex) proving leaf `index` is in the tree."""
    if not 0 <= index < len(record_hashes):
        raise IndexError(f"leaf {index} is outside a tree of {len(record_hashes)} leaves")
    return [h.hex() for h in _path([_leaf(h) for h in record_hashes], index)]


@dataclass(frozen=True)
class InclusionProof:
    """Everything needed to check one record against a checkpoint root, offline."""

    record_id: str
    """The ledger record the proof is about."""
    seq: int
    record_hash: str
    """The record's chain hash (hex): the Merkle leaf is derived from it."""
    leaf_index: int
    """Position of the record in the checkpoint (``seq - 1``)."""
    tree_size: int
    """How many records the checkpoint covers."""
    root: str
    """The checkpoint's Merkle root (hex)."""
    path: list[str] = field(default_factory=list)
    """Sibling hashes from the leaf up to the root (hex)."""
    checkpoint_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "record_id": self.record_id,
            "seq": self.seq,
            "record_hash": self.record_hash,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "root": self.root,
            "path": list(self.path),
            "checkpoint_id": self.checkpoint_id,
        }

    def verify(self) -> bool:
        return verify_proof(self.record_hash, self.leaf_index, self.tree_size, self.path, self.root)


def verify_proof(record_hash: str, leaf_index: int, tree_size: int, path: Sequence[str], root: str) -> bool:
    """Check an inclusion proof (RFC 9162 section 2.1.3.2). Needs nothing but ``hashlib``."""
    try:
        if not 0 <= leaf_index < tree_size:
            return False
        fn, sn = leaf_index, tree_size - 1
        result = hashlib.sha256(b"\x00" + bytes.fromhex(record_hash)).digest()
        for sibling_hex in path:
            sibling = bytes.fromhex(sibling_hex)
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                result = hashlib.sha256(b"\x01" + sibling + result).digest()
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
            else:
                result = hashlib.sha256(b"\x01" + result + sibling).digest()
            fn >>= 1
            sn >>= 1
        return sn == 0 and result.hex() == root
    except ValueError:  # malformed hex
        return False


def extend_frontier(
    frontier: Sequence[tuple[int, str]], record_hashes: Sequence[str]
) -> list[tuple[int, str]]:
    """The compact form of a growing tree: ``(size, root hex)`` of its perfect subtrees, largest
    first. Appending leaves merges equal neighbours like a binary counter, so a checkpoint can
    extend the previous anchor's tree with only the records added since (O(new + log n))."""
    stack = [(size, bytes.fromhex(root)) for size, root in frontier]
    for record_hash in record_hashes:
        stack.append((1, _leaf(record_hash)))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (size, right), (_, left) = stack.pop(), stack.pop()
            stack.append((2 * size, _node(left, right)))
    return [(size, node.hex()) for size, node in stack]


def frontier_root(frontier: Sequence[tuple[int, str]]) -> str:
    """The RFC 9162 root of the tree `frontier` describes (equal to `merkle_root` over its leaves)."""
    if not frontier:
        return EMPTY_ROOT
    root = bytes.fromhex(frontier[-1][1])
    for _, node in reversed(frontier[:-1]):
        root = _node(bytes.fromhex(node), root)
    return root.hex()
