"""What the gate is told about the world: running totals and segregation-of-duties facts, read in
one place, inside the caller's locked transaction.

The gate (`governance.gate`) is pure: it names the facts it needs (`required_aggregates`,
`required_sod_facts`) and judges them. This module reads them -- the totals in one SELECT of scalar
subqueries whatever their number (built once per combination of shapes, so SQLAlchemy reuses its
compiled form) over the per-window bucket rows the executor keeps (`governance.aggregate_buckets`:
a few rows per total, whatever the window's volume), the SoD facts from executions and decided
approvals -- and takes the locks that keep
them true until the transaction ends (`writer_locks`, `governance.ledger.serialise_writers`).
`read_context` is the one call `Governor` makes before judging: locks, totals, facts, `Context`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from governance import fast_sql
from governance.action import Action
from governance.aggregate_buckets import COUNTED_STATUSES
from governance.clock import iso
from governance.gate import AggregateKey, Context, SodQuery, required_aggregates, required_sod_facts
from governance.ledger_core import serialise_writers
from governance.policy import Policy
from governance.schema import MICROS, aggregate_buckets, approvals, executions

Shape = tuple[str, str, int]
"""(per, measure, number of operations named -- 0 for every operation)."""
_queries: dict[tuple[Shape, ...], Select[Any]] = {}


def read_context(
    connection: Connection, action: Action, policy: Policy, now: datetime, *, approver: str | None = None
) -> Context:
    """Lock what judging `action` reads, read it, and hand the gate its `Context`.

    SoD facts are read only when an approver is named (they judge the approver)."""
    keys = required_aggregates(action, policy, now)
    serialise_writers(connection, *writer_locks(action, keys))
    totals = running_totals(connection, keys)
    facts = sod_facts(connection, required_sod_facts(action, policy, now)) if approver else {}
    return Context(policy, now, totals, approver=approver, sod_facts=facts)


def _subquery(index: int, shape: Shape) -> Any:
    """The total of one key: a sum over its bucket rows (one per operation and currency)."""
    per, measure, operations = shape
    conditions = [
        aggregate_buckets.c.agent == bindparam(f"agent_{index}"),
        aggregate_buckets.c.per == bindparam(f"per_{index}", per),
        aggregate_buckets.c.per_value == bindparam(f"per_value_{index}"),
        aggregate_buckets.c.period == bindparam(f"period_{index}"),
        aggregate_buckets.c.window_start == bindparam(f"since_{index}"),
    ]
    if operations:
        conditions.append(
            aggregate_buckets.c.operation.in_([bindparam(f"op_{index}_{n}") for n in range(operations)])
        )
    if measure == "count":
        column = aggregate_buckets.c.count
    else:
        conditions.append(aggregate_buckets.c.currency == bindparam(f"currency_{index}"))
        column = aggregate_buckets.c.amount_micros
    return select(func.coalesce(func.sum(column), 0)).where(*conditions).scalar_subquery()


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
        params[f"period_{index}"] = key.window
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


def sod_facts(connection: Connection, queries: Iterable[SodQuery]) -> dict[SodQuery, frozenset[str]]:
    """Who requested or approved the queried operations for the counterparty within the window."""
    facts: dict[SodQuery, frozenset[str]] = {}
    for query in queries:
        since = iso(query.since)
        people: set[str] = set()
        requested = connection.execute(
            select(executions.c.requested_by).where(
                executions.c.operation.in_(query.operations),
                executions.c.counterparty == query.counterparty,
                executions.c.status.in_(COUNTED_STATUSES),
                executions.c.created_at >= since,
            )
        ).scalars()
        people.update(p for p in requested if p)
        decided = connection.execute(
            select(approvals.c.requested_by, approvals.c.decided_by).where(
                approvals.c.operation.in_(query.operations),
                approvals.c.counterparty == query.counterparty,
                approvals.c.status.in_(("approved", "used")),
                approvals.c.decided_at >= since,
            )
        ).all()
        for row in decided:
            people.update(p for p in (row.requested_by, row.decided_by) if p)
        facts[query] = frozenset(people)
    return facts
