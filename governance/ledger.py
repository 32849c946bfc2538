"""The ledger: append-only, hash-chained records of every step of every transaction.

Each record carries ``prev_hash`` (the hash of the record before it in its chain), ``hash =
SHA-256(prev_hash + body)`` (see `governance.ledger_chain`) and ``mac = HMAC-SHA256(K_mac, hash)``
under a key kept outside the database (`governance.ledger_keys`). Records are spread over one or
more partitions, each a chain of its own with a head row (`governance.ledger_partitions`); all of
a transaction's records go to one partition. An append locks its partition's head row (``SELECT
... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` locks the database), so concurrent
writers in different processes extend each chain in order while writers on different partitions
proceed in parallel; rows are written once per transaction at commit (`governance.ledger_batch`).
Appending, reading and verifying live in `governance.ledger_core`; `Ledger` adds on top of it:
`checkpoint` signs every partition's Merkle root into an append-only anchor log outside the
database (`governance.anchor`, `governance.ledger_anchoring`); `verify` (read-only) checks the
anchors, the chains and their MACs and names the first record that does not fit
(`governance.ledger_audit`). Proofs and the JSONL export (`governance.ledger_export`,
re-checked by `governance.ledger_export_check`) let an auditor re-check everything offline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from governance.clock import utc_now
from governance.ledger_anchoring import checkpoint_if_due, take_checkpoint
from governance.ledger_chain import (
    GENESIS_HASH,
    RECORD_FIELDS,
    RECORD_KINDS,
    BadRecord,
    ChainHead,
    LedgerRecord,
    VerifyReport,
    is_secret_key,
    parse_payload,
    payload_json,
    record_hash,
    verify_chain,
)
from governance.ledger_core import LedgerCore, serialise_writers
from governance.ledger_export import export_jsonl, inclusion_proof
from governance.ledger_export_check import EXPORT_FORMAT, verify_export
from governance.merkle import InclusionProof
from governance.schema import ledger_checkpoints, ledger_head, ledger_records

__all__ = [
    "EXPORT_FORMAT",
    "GENESIS_HASH",
    "RECORD_FIELDS",
    "RECORD_KINDS",
    "BadRecord",
    "ChainHead",
    "Ledger",
    "LedgerRecord",
    "VerifyReport",
    "is_secret_key",
    "ledger_checkpoints",
    "ledger_head",
    "ledger_records",
    "parse_payload",
    "payload_json",
    "record_hash",
    "serialise_writers",
    "utc_now",
    "verify_chain",
    "verify_export",
]


class Ledger(LedgerCore):
    """Appends, reads and verifies the chains in a store (`LedgerCore`), and anchors, proves and
    exports them."""

    def checkpoint(self) -> int:
        """Sign a Merkle root over every record so far into the anchor log (outside the
        database) and store it as a checkpoint row; returns the row's id. Only the records added
        since the latest anchor are read and verified (`governance.ledger_anchoring`); raises
        `LedgerIntegrityError` rather than anchor a ledger that does not verify."""
        return take_checkpoint(self)

    def checkpoint_if_due(self, every: timedelta) -> int | None:
        """`checkpoint` when records were added since the latest anchor and it is older than
        `every` (or there is none); else None. Cheap enough to call from a frequent schedule."""
        return checkpoint_if_due(self, every)

    def proof(self, record_id: str, checkpoint_id: int | None = None) -> InclusionProof:
        """Inclusion proof of a record in the latest checkpoint that covers it (or the one named)."""
        return inclusion_proof(self, record_id, checkpoint_id)

    def export_jsonl(self, stream: TextIO, transaction_id: str | None = None) -> int:
        """Write a header line and every record (with hashes) as JSONL; returns the record count.

        A full export carries the chain head, so `verify_export` re-checks the whole chain. A
        one-transaction export cannot be chain-checked (its neighbours are absent); each record
        then carries a Merkle inclusion proof when a checkpoint covers it.
        """
        return export_jsonl(self, stream, transaction_id)
