"""Inclusion proofs and the JSONL export: what an auditor takes away to re-check offline."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC
from typing import Any, TextIO

from sqlalchemy import select

from governance.errors import NotFoundError
from governance.ledger_core import LedgerCore
from governance.ledger_export_check import EXPORT_FORMAT
from governance.ledger_partitions import base_seq, partition_of_seq, position_of
from governance.merkle import InclusionProof, inclusion_path
from governance.schema import ledger_checkpoints, ledger_records


def inclusion_proof(ledger: LedgerCore, record_id: str, checkpoint_id: int | None = None) -> InclusionProof:
    """Inclusion proof of a record in the latest checkpoint of its partition that covers it (or
    the one named); the tree is the partition's, the leaf index the record's position in it."""
    record = ledger.get(record_id)
    partition, position = partition_of_seq(record.seq), position_of(record.seq)
    in_partition = (
        ledger_checkpoints.c.partition.is_(None) | (ledger_checkpoints.c.partition == 0)
        if partition == 0
        else ledger_checkpoints.c.partition == partition
    )
    query = select(ledger_checkpoints).where(in_partition, ledger_checkpoints.c.size >= position)
    if checkpoint_id is not None:
        query = query.where(ledger_checkpoints.c.id == checkpoint_id)
    with ledger.store.connect() as connection:
        checkpoint = connection.execute(query.order_by(ledger_checkpoints.c.id.desc())).first()
        if checkpoint is None:
            raise NotFoundError(f"no Merkle checkpoint covers record {record_id}; run checkpoint() first")
        hashes = [
            row.hash
            for row in connection.execute(
                select(ledger_records.c.hash)
                .where(
                    ledger_records.c.seq > base_seq(partition),
                    ledger_records.c.seq <= base_seq(partition) + checkpoint.size,
                )
                .order_by(ledger_records.c.seq)
            )
        ]
    return InclusionProof(
        record_id=record.id,
        seq=record.seq,
        record_hash=record.hash,
        leaf_index=position - 1,
        tree_size=int(checkpoint.size),
        root=checkpoint.root,
        path=inclusion_path(hashes, position - 1),
        checkpoint_id=int(checkpoint.id),
    )


def export_jsonl(ledger: LedgerCore, stream: TextIO, transaction_id: str | None = None) -> int:
    """Write a header line and every record (with hashes) as JSONL; returns the record count.

    A full export carries the chain head, so `verify_export` re-checks the whole chain. A
    one-transaction export cannot be chain-checked (its neighbours are absent); each record
    then carries a Merkle inclusion proof when a checkpoint covers it.
    """
    header: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "transaction_id": transaction_id,
        "head": None,
        "exported_at": ledger.clock().astimezone(UTC).isoformat(),
    }
    count = 0
    if transaction_id is None:
        with ledger._snapshot() as connection:  # the head and the records from one moment
            heads = ledger._read_heads(connection)
            header["head"] = asdict(heads[0]) if 0 in heads else None
            if set(heads) != {0}:
                header["heads"] = {str(partition): asdict(head) for partition, head in sorted(heads.items())}
            stream.write(json.dumps(header, sort_keys=True) + "\n")
            for record in ledger._stream(connection):
                stream.write(record.to_json_line() + "\n")
                count += 1
        return count
    selected = ledger.records(transaction_id)
    stream.write(json.dumps(header, sort_keys=True) + "\n")
    for record in selected:
        try:
            extra = {"proof": inclusion_proof(ledger, record.id).as_dict()}
        except NotFoundError:
            extra = {}
        stream.write(record.to_json_line(extra) + "\n")
        count += 1
    return count
