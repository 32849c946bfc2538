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

from sqlalchemy import Connection, Engine, Insert, Update, event

from governance.ledger_chain import ChainHead

PENDING_KEY = "opspack.ledger_pending"
HEAD_CACHE_KEY = "opspack.ledger_head"


@dataclass
class _Pending:
    transaction: Any
    insert: Insert
    move_head: Update
    rows: list[dict[str, Any]] = field(default_factory=list)


def remember(connection: Connection, row: dict[str, Any], insert: Insert, move_head: Update) -> None:
    """Keep `row` for the flush at commit; the head cache moves to it at once."""
    transaction = connection.get_transaction()
    pending: _Pending | None = connection.info.get(PENDING_KEY)
    if pending is None or pending.transaction is not transaction:
        install(connection.engine)  # a connection from an engine no Ledger was built on
        pending = _Pending(transaction, insert, move_head)
        connection.info[PENDING_KEY] = pending
    pending.rows.append(row)
    connection.info[HEAD_CACHE_KEY] = (transaction, ChainHead(row["seq"], row["id"], row["hash"]))


def flush(connection: Connection) -> None:
    """Write what `remember` kept, in the current transaction."""
    pending: _Pending | None = connection.info.pop(PENDING_KEY, None)
    if pending is None or not pending.rows:
        return
    last = pending.rows[-1]
    connection.execute(pending.insert, pending.rows)
    connection.execute(
        pending.move_head, {"new_seq": last["seq"], "new_id": last["id"], "new_hash": last["hash"]}
    )


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
