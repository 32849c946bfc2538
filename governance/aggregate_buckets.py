"""Keep ``aggregate_buckets`` equal to what the counted ``executions`` rows add up to.

Every change of an execution row that moves it into or out of the counted statuses (started,
succeeded, unknown) adds or takes away its bucket rows in the same transaction: one per calendar
period (hour, day, month) and per bucket kind (the agent, the counterparty, the target -- each
when the row names it), keyed by operation and currency. So a running total is a sum over a few
rows, whatever the window's volume, and it is exactly the old scan of ``executions``:

- a new claim (insert, or a failed row taken again) adds its buckets;
- a claim that takes over a started/unknown row (resume) takes the old row's buckets away and
  adds the new ones (same window: the row keeps its ``created_at``);
- an outcome ``failed`` takes the row's buckets away; ``succeeded`` and ``unknown`` keep them.

Rows are applied in key order (one lock order for every writer on PostgreSQL). A database that
has ``executions`` from before the buckets existed gets them rebuilt once, when the table is
created (`rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from governance import fast_sql
from governance.clock import iso
from governance.gate_facts import window_start
from governance.schema import aggregate_buckets, executions

COUNTED_STATUSES = ("started", "succeeded", "unknown")
"""Execution rows that count toward aggregate limits and SoD: done, or possibly done."""
PERIODS = ("hour", "day", "month")
_PERS = ("agent", "counterparty", "target")
_KEY = ("agent", "per", "per_value", "period", "window_start", "operation", "currency")


def _upsert(insert: Any) -> Any:
    statement = insert(aggregate_buckets)
    return statement.on_conflict_do_update(
        index_elements=[aggregate_buckets.c[name] for name in _KEY],
        set_={
            "count": aggregate_buckets.c.count + statement.excluded.count,
            "amount_micros": aggregate_buckets.c.amount_micros + statement.excluded.amount_micros,
        },
    )


UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(postgresql_insert)}
_ADD = (
    update(aggregate_buckets)
    .where(*(aggregate_buckets.c[name] == bindparam(f"k_{name}") for name in _KEY))
    .values(
        count=aggregate_buckets.c.count + bindparam("d_count"),
        amount_micros=aggregate_buckets.c.amount_micros + bindparam("d_micros"),
    )
)


def bucket_rows(row: Mapping[str, Any], created: datetime, sign: int) -> list[dict[str, Any]]:
    """The bucket changes of one execution row (`executions` columns) created at `created`:
    `sign` +1 when it starts counting, -1 when it stops."""
    agent, micros = row["agent"], (row["amount_micros"] or 0) * sign
    common = {"agent": agent, "operation": row["operation"], "currency": row["currency"] or ""}
    out = []
    for period in PERIODS:
        start = iso(window_start(period, created))
        for per in _PERS:
            value = row[per]
            if value is None:
                continue
            out.append(
                {
                    **common,
                    "per": per,
                    "per_value": value,
                    "period": period,
                    "window_start": start,
                    "count": sign,
                    "amount_micros": micros,
                }
            )
    out.sort(key=lambda change: tuple(change[name] for name in _KEY))
    return out


def apply(connection: Connection, changes: list[dict[str, Any]]) -> None:
    """Add `changes` to their bucket rows (created on first use) in this transaction."""
    if not changes:
        return
    upsert = UPSERTS.get(connection.dialect.name)
    if upsert is not None:
        fast_sql.execute_many(connection, upsert, changes)
        return
    for change in changes:  # other dialects: update, else insert (under the caller's locks)
        params = {f"k_{name}": change[name] for name in _KEY}
        params |= {"d_count": change["count"], "d_micros": change["amount_micros"]}
        if connection.execute(_ADD, params).rowcount == 0:
            connection.execute(aggregate_buckets.insert(), change)


def counted(status: str | None) -> bool:
    return status in COUNTED_STATUSES


def rebuild(engine: Engine) -> None:
    """Fill the buckets from ``executions`` (a database that had executions before the buckets)."""
    with engine.begin() as connection:
        connection.execute(aggregate_buckets.delete())
        rows: Iterable[Any] = connection.execute(
            select(executions).where(executions.c.status.in_(COUNTED_STATUSES))
        ).mappings()
        for row in list(rows):
            apply(connection, bucket_rows(row, datetime.fromisoformat(row["created_at"]), +1))
