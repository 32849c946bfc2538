"""The statements the ledger's append path reuses (compiled once by SQLAlchemy); the tables
themselves are declared in `governance.schema`."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select, update

from governance.schema import ledger_checkpoints, ledger_head, ledger_records

__all__ = [
    "INSERT_RECORD",
    "MOVE_HEAD",
    "READ_HEAD_FOR_UPDATE",
    "ledger_checkpoints",
    "ledger_head",
    "ledger_records",
]

READ_HEAD_FOR_UPDATE = (
    select(ledger_head.c.seq, ledger_head.c.hash)
    .where(ledger_head.c.id == bindparam("head_id"))
    .with_for_update()
)
"""The partition's head, locked on PostgreSQL (SQLite already holds its write lock)."""
INSERT_RECORD = insert(ledger_records)
MOVE_HEAD = (
    update(ledger_head)
    .where(ledger_head.c.id == bindparam("head_id"))
    .values(seq=bindparam("new_seq"), record_id=bindparam("new_id"), hash=bindparam("new_hash"))
)
