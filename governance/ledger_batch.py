"""Ledger appends batched per database transaction: one INSERT for all records, one head move.

`Ledger.append` inside a transaction hashes, MACs and numbers the record at once (the caller gets
the final record) but only remembers the row; just before the transaction commits, every
remembered row is written with one multi-row INSERT and the chain head is moved once -- inside
the same transaction, so durability is unchanged: the records commit exactly when, and only if,
the work they describe commits. A rollback forgets them; a savepoint first writes what is pending
(so a rolled-back savepoint can never take earlier records with it) and appends inside a savepoint
are written at once.

The hooks are SQLAlchemy ``commit``/``rollback``/``savepoint`` events on the engine, so they hold
for every way a transaction is committed (``Store.begin``, ``engine.begin``, ``connection.commit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event

from governance import fast_sql
from governance.ledger_chain import ChainHead
from governance.ledger_partitions import head_row_id
from governance.ledger_tables import INSERT_RECORD, MOVE_HEAD

PENDING_KEY = "opspack.ledger_pending"
HEAD_CACHE_KEY = "opspack.ledger_head"


@dataclass
class _Pending:
    transaction: Any
    rows: list[dict[str, Any]] = field(default_factory=list)
    last: dict[int, dict[str, Any]] = field(default_factory=dict)
    """The last pending row of each partition written to: where its head moves."""


def cached_head(connection: Connection, partition: int) -> ChainHead | None:
    """The partition's head remembered by this transaction's earlier appends (None outside them,
    in a savepoint, or in a new transaction)."""
    cached = connection.info.get(HEAD_CACHE_KEY)
    if cached is None or cached[0] is not connection.get_transaction() or connection.in_nested_transaction():
        return None
    head: ChainHead | None = cached[1].get(partition)
    return head


def remember(connection: Connection, partition: int, row: dict[str, Any]) -> None:
    """Keep `row` for the flush at commit; the partition's cached head moves to it at once."""
    transaction = connection.get_transaction()
    pending: _Pending | None = connection.info.get(PENDING_KEY)
    if pending is None or pending.transaction is not transaction:
        install(connection.engine)  # a connection from an engine no Ledger was built on
        pending = _Pending(transaction)
        connection.info[PENDING_KEY] = pending
    pending.rows.append(row)
    pending.last[partition] = row
    cached: tuple[Any, dict[int, ChainHead]] | None = connection.info.get(HEAD_CACHE_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        connection.info[HEAD_CACHE_KEY] = cached
    cached[1][partition] = ChainHead(row["seq"], row["id"], row["hash"])


def flush(connection: Connection) -> None:
    """Write what `remember` kept, in the current transaction: one INSERT, one head move per
    partition written to."""
    pending: _Pending | None = connection.info.pop(PENDING_KEY, None)
    if pending is None or not pending.rows:
        return
    fast_sql.execute_many(connection, INSERT_RECORD, pending.rows)
    moves = [
        {
            "head_id": head_row_id(partition),
            "new_seq": row["seq"],
            "new_id": row["id"],
            "new_hash": row["hash"],
        }
        for partition, row in sorted(pending.last.items())
    ]
    fast_sql.execute_many(connection, MOVE_HEAD, moves)


def _forget(connection: Connection) -> None:
    connection.info.pop(PENDING_KEY, None)
    connection.info.pop(HEAD_CACHE_KEY, None)


def _before_savepoint(connection: Connection, _name: str) -> None:
    flush(connection)
    connection.info.pop(HEAD_CACHE_KEY, None)  # the savepoint reads the head from the database


def _after_savepoint_rollback(connection: Connection, _name: str, _context: Any) -> None:
    connection.info.pop(HEAD_CACHE_KEY, None)


def install(engine: Engine) -> None:
    """Hook the flush into `engine`'s transactions (idempotent)."""
    if event.contains(engine, "commit", flush):
        return
    event.listen(engine, "commit", flush)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "savepoint", _before_savepoint)
    event.listen(engine, "rollback_savepoint", _after_savepoint_rollback)
    event.listen(engine, "release_savepoint", _after_savepoint_rollback)
