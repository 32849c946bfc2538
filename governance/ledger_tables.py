"""The ledger's tables and the statements the append path reuses (compiled once by SQLAlchemy)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)

from governance.store import metadata

_SEQ = BigInteger().with_variant(Integer(), "sqlite")

ledger_records = Table(
    "ledger_records",
    metadata,
    Column("seq", _SEQ, primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("transaction_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("agent", String(200)),
    Column("actor", String(200)),
    Column("created_at", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64)),
    Index("ix_ledger_records_transaction", "transaction_id", "seq"),
    Index("ix_ledger_records_kind_agent", "kind", "agent"),
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", _SEQ, nullable=False),
    Column("record_id", String(36)),
    Column("hash", String(64), nullable=False),
)
"""One row per partition (`governance.ledger_partitions`): row ``id`` is the partition + 1."""

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", _SEQ, nullable=False),
    Column("root", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("partition", Integer),
)
"""Merkle checkpoints over one partition's records (``partition`` NULL: partition 0, as written
before partitions existed); ``size`` counts that partition's records."""

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
