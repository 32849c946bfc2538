"""Re-verify a ledger export offline: the full chain (every partition) or one transaction's
records with their Merkle inclusion proofs. Needs no database (`governance.ledger_export` writes
the files)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from governance.action import canonical_json
from governance.errors import LedgerError
from governance.ledger_chain import (
    PARTITION_SHIFT,
    BadRecord,
    ChainHead,
    LedgerRecord,
    VerifyReport,
    record_hash,
)
from governance.ledger_partitions import verify_partitions
from governance.merkle import verify_proof

EXPORT_FORMAT = "opspack-ledger/1"


def _record_from_export(data: Mapping[str, Any]) -> LedgerRecord:
    fields = dict(data)
    fields["payload_text"] = canonical_json(fields.pop("payload"))
    return LedgerRecord.from_row(fields)


def verify_export(lines: Iterable[str]) -> VerifyReport:
    """Re-verify an `export_jsonl` file offline: the full chain, or each record and its proof."""
    parsed = [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]
    if not parsed or parsed[0].get("format") != EXPORT_FORMAT:
        raise LedgerError(
            f"not an opspack ledger export: the first line must be a header with format {EXPORT_FORMAT!r}"
        )
    header, rows = parsed[0], parsed[1:]
    try:
        records = [_record_from_export(row) for row in rows]
    except (KeyError, TypeError, ValueError) as exc:
        raise LedgerError(f"malformed ledger export record: {exc}") from exc
    if header.get("transaction_id") is None:
        if header.get("heads"):
            heads = {int(p): ChainHead(**head) for p, head in header["heads"].items()}
            return verify_partitions(records, heads)
        head = ChainHead(**header["head"]) if header.get("head") else None
        return verify_partitions(records, {0: head} if head else None)
    previous: LedgerRecord | None = None
    for checked, (record, row) in enumerate(zip(records, rows, strict=True)):
        problem = None
        if record.transaction_id != header["transaction_id"]:
            problem = f"belongs to transaction {record.transaction_id!r}, not the exported one"
        elif previous is not None and record.seq <= previous.seq:
            problem = "out of order"
        elif previous is not None and record.seq == previous.seq + 1 and record.prev_hash != previous.hash:
            problem = "prev_hash does not match the hash of the record before it"
        elif record_hash(record.prev_hash, record.chain_fields()) != record.hash:
            problem = "hash does not match the record's content (the record was edited)"
        elif "proof" in row:
            proof = row["proof"]
            if (
                proof["record_hash"] != record.hash
                or proof["leaf_index"] != (record.seq & ((1 << PARTITION_SHIFT) - 1)) - 1
            ):
                problem = "its Merkle proof is for another record"
            elif not verify_proof(
                record.hash, proof["leaf_index"], proof["tree_size"], proof["path"], proof["root"]
            ):
                problem = "its Merkle inclusion proof does not lead to the checkpoint root"
        if problem is not None:
            return VerifyReport(False, checked, BadRecord(record.seq, record.id, problem))
        previous = record
    return VerifyReport(True, len(records))
