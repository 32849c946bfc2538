"""Hot-path statements run on the driver's cursor, compiled once per dialect.

SQLAlchemy's execution path (parameter processing, result wrapping, events) costs tens of
microseconds per statement -- more than SQLite takes to run a primary-key read. The few
statements every governed action runs (chain head read and move, record insert, running totals,
kill switch) are compiled once per dialect and executed on the DBAPI cursor of the *same*
connection, inside the same transaction: durability, locking and the commit hooks
(`governance.ledger_batch`) are unchanged. Parameters must be plain values (str, int, None) --
no type processing is applied. SQLAlchemy cursor events do not see these statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]
    order: tuple[str, ...] | None
    """Parameter names in placeholder order (positional paramstyles); None for named ones."""


_cache: dict[tuple[int, str], _Compiled] = {}


_NAMED_SQLITE = sqlite.dialect(paramstyle="named")
"""SQLite statements are compiled with named placeholders: the driver takes the parameter dict as
it is, with no per-row tuple to build."""


def _compiled(connection: Connection, statement: ClauseElement) -> _Compiled:
    key = (id(statement), connection.dialect.name)
    found = _cache.get(key)
    if found is None:
        dialect = _NAMED_SQLITE if connection.dialect.name == "sqlite" else connection.dialect
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        defaults = {name: bind.value for name, bind in compiled.binds.items() if bind.value is not None}
        order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        found = _Compiled(compiled.string, defaults, order)
        _cache[key] = found
    return found


def _args(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    merged = {**compiled.defaults, **params} if compiled.defaults else params
    if compiled.order is None:
        return merged
    return tuple(merged[name] for name in compiled.order)


def execute(connection: Connection, statement: ClauseElement, params: Mapping[str, Any]) -> Any:
    """Run `statement` (a module-level constant: it is cached by identity) and return the cursor."""
    compiled = _compiled(connection, statement)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(compiled.sql, _args(compiled, params))
    return cursor


def execute_many(connection: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]) -> None:
    compiled = _compiled(connection, statement)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(compiled.sql, [_args(compiled, row) for row in rows])
    finally:
        cursor.close()


def first(
    connection: Connection, statement: ClauseElement, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of a query as a tuple, or None."""
    cursor = execute(connection, statement, params)
    try:
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row
    finally:
        cursor.close()
