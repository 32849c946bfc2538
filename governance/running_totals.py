"""Running totals for aggregate limits, read in one statement, and the locks that keep them true.

The gate needs, per action, a handful of totals (a sum per counterparty per day, a count per agent
per hour, ...) from executed and in-flight writes (`governance.executor.executions`). They are read
with one SELECT of scalar subqueries -- one round trip whatever their number -- built once per
combination of shapes so SQLAlchemy reuses its compiled form. `writer_locks` names what a
transaction reading them must hold against other workers (`governance.ledger.serialise_writers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from governance import fast_sql
from governance.action import Action
from governance.executor import COUNTED_STATUSES, MICROS, executions, iso
from governance.gate import AggregateKey

_PER_COLUMNS = {
    "counterparty": executions.c.counterparty,
    "agent": executions.c.agent,
    "target": executions.c.target,
}
Shape = tuple[str, str, int]
"""(per, measure, number of operations named -- 0 for every operation)."""
_queries: dict[tuple[Shape, ...], Select[Any]] = {}


def _subquery(index: int, shape: Shape) -> Any:
    per, measure, operations = shape
    conditions = [
        executions.c.agent == bindparam(f"agent_{index}"),
        executions.c.status.in_(
            [bindparam(f"status_{index}_{n}", status) for n, status in enumerate(COUNTED_STATUSES)]
        ),
        executions.c.created_at >= bindparam(f"since_{index}"),
        _PER_COLUMNS[per] == bindparam(f"per_value_{index}"),
    ]
    if operations:
        conditions.append(
            executions.c.operation.in_([bindparam(f"op_{index}_{n}") for n in range(operations)])
        )
    if measure == "count":
        return select(func.count()).select_from(executions).where(*conditions).scalar_subquery()
    conditions.append(executions.c.currency == bindparam(f"currency_{index}"))
    return select(func.coalesce(func.sum(executions.c.amount_micros), 0)).where(*conditions).scalar_subquery()


def _query(shapes: tuple[Shape, ...]) -> Select[Any]:
    """One statement for these shapes, built once (no expanding IN, which recompiles per call)."""
    query = _queries.get(shapes)
    if query is None:
        query = select(*(_subquery(index, shape) for index, shape in enumerate(shapes)))
        _queries[shapes] = query
    return query


def running_totals(connection: Connection, keys: Iterable[AggregateKey]) -> dict[AggregateKey, Decimal]:
    """Current totals for the gate's aggregate keys, from executed and in-flight writes."""
    keys = list(keys)
    if not keys:
        return {}
    shapes: list[Shape] = []
    params: dict[str, Any] = {}
    for index, key in enumerate(keys):
        operations = () if "*" in key.operations else key.operations
        shapes.append((key.per, "count" if key.measure == "count" else "sum", len(operations)))
        params[f"agent_{index}"] = key.agent
        params[f"since_{index}"] = iso(key.window_start)
        params[f"per_value_{index}"] = key.per_value
        if key.measure != "count":
            params[f"currency_{index}"] = key.currency
        for n, operation in enumerate(operations):
            params[f"op_{index}_{n}"] = operation
    row = fast_sql.first(connection, _query(tuple(shapes)), params)
    assert row is not None  # a SELECT of scalar subqueries always returns one row
    return {
        key: Decimal(int(value)) if key.measure == "count" else Decimal(int(value)) / MICROS
        for key, value in zip(keys, row, strict=True)
    }


def writer_locks(action: Action, keys: Iterable[AggregateKey] = ()) -> list[str]:
    """What a transaction judging or claiming `action` must hold against other workers: its
    business key, and each aggregate bucket whose running total it reads (`serialise_writers`)."""
    return [f"action:{action.idempotency_key}"] + [
        f"aggregate:{key.agent}:{key.name}:{key.per}:{key.per_value}" for key in keys
    ]
