"""The kept bucket rows always equal a scan of the counted executions (they replace that scan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from governance_doubles import FileTarget, invoice, payment
from sqlalchemy import Connection, func, select

from governance.action import Action
from governance.aggregate_buckets import COUNTED_STATUSES
from governance.context import running_totals
from governance.executor import Executor
from governance.gate import AggregateKey, required_aggregates
from governance.ledger import Ledger
from governance.policy import Policy, parse_policy
from governance.schema import MICROS, aggregate_buckets, executions
from governance.store import Store

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def policy() -> Policy:
    limits: list[dict[str, Any]] = [
        {
            "name": f"{per}_{window}_{measure}",
            "operations": operations,
            "measure": measure,
            "per": per,
            "window": window,
            "limit": 10_000_000,
            **({"currency": "EUR"} if measure == "sum" else {}),
        }
        for per in ("counterparty", "agent", "target")
        for window in ("hour", "day", "month")
        for measure, operations in (("sum", ["erp.post_invoice"]), ("count", ["*"]))
    ]
    return parse_policy(
        {
            "systems": {"sap": {"kind": "erp"}},
            "agents": {
                "ap": {
                    "identity": {"id": "agent-ap", "owner": "lead@example.com"},
                    "systems": {"sap": ["erp.post_invoice", "erp.schedule_payment"]},
                    "autonomy": {"default": "hootl"},
                    "aggregates": limits,
                    "escalation": {"default": {"queue": "ap", "sla_hours": 8}},
                }
            },
        }
    )


def scanned(connection: Connection, key: AggregateKey) -> Decimal:
    """The total as a scan of ``executions`` in the key's window computes it (the old way)."""
    column = {
        "counterparty": executions.c.counterparty,
        "agent": executions.c.agent,
        "target": executions.c.target,
    }
    conditions = [
        executions.c.agent == key.agent,
        executions.c.status.in_(COUNTED_STATUSES),
        executions.c.created_at >= key.window_start.isoformat(timespec="microseconds"),
        column[key.per] == key.per_value,
    ]
    if "*" not in key.operations:
        conditions.append(executions.c.operation.in_(key.operations))
    if key.measure == "count":
        return Decimal(connection.execute(select(func.count()).where(*conditions)).scalar_one())
    conditions.append(executions.c.currency == key.currency)
    micros = connection.execute(
        select(func.coalesce(func.sum(executions.c.amount_micros), 0)).where(*conditions)
    )
    return Decimal(int(micros.scalar_one())) / MICROS


def assert_buckets_match(store: Store, actions: list[Action], now: datetime) -> None:
    keys = [key for action in actions for key in required_aggregates(action, policy(), now)]
    assert keys
    with store.connect() as connection:
        kept = running_totals(connection, keys)
        assert kept == {key: scanned(connection, key) for key in keys}


def test_buckets_follow_every_status_change(database_url: str, tmp_path: Path) -> None:
    store = Store(database_url)
    clock = [NOW]
    executor = Executor(
        store, Ledger(store, clock=lambda: clock[0]), clock=lambda: clock[0], sleep=lambda _: None
    )
    done = [invoice("A", "1000.00"), invoice("B", "20.00", vendor="V2"), payment("P", "300.00")]
    for n, action in enumerate(done):
        assert (
            executor.execute(action, FileTarget(tmp_path / f"{n}.json"), transaction_id="t").status
            == "executed"
        )
    rejected = invoice("R", "250.00")
    failing = FileTarget(tmp_path / "r.json", ["reject"])
    assert executor.execute(rejected, failing, transaction_id="t").status == "failed"  # stops counting
    lost = invoice("U", "70.00", vendor="V3")
    unknown = FileTarget(tmp_path / "u.json", ["server"], reconcilable=False)
    assert executor.execute(lost, unknown, transaction_id="t").status in ("failed", "unknown")
    with store.begin() as connection:
        executor.claim(connection, invoice("F", "5.00"), "t")  # in flight: counts
    everything = [*done, rejected, lost, invoice("F", "5.00")]
    assert_buckets_match(store, everything, NOW)
    clock[0] = NOW + timedelta(minutes=45)  # the next hour: a failed key taken again counts there
    assert (
        executor.execute(rejected, FileTarget(tmp_path / "r2.json"), transaction_id="t").status == "executed"
    )
    assert_buckets_match(store, everything, clock[0])


def test_a_database_from_before_the_buckets_gets_them_rebuilt(sqlite_url: str, tmp_path: Path) -> None:
    store = Store(sqlite_url)
    executor = Executor(store, Ledger(store, clock=lambda: NOW), clock=lambda: NOW)
    actions = [invoice("A", "10.00"), invoice("B", "12.50", vendor="V2"), payment("P", "7.00")]
    for n, action in enumerate(actions):
        executor.execute(action, FileTarget(tmp_path / f"{n}.json"), transaction_id="t")
    aggregate_buckets.drop(store.engine)
    store.dispose()
    reopened = Store(sqlite_url)
    assert_buckets_match(reopened, actions, NOW)
    with reopened.connect() as connection:
        assert connection.execute(select(func.count()).select_from(aggregate_buckets)).scalar_one() > 0


@pytest.mark.parametrize("amount", ["0.0000001", "999999.99"])
def test_bucket_amounts_round_up_like_the_rows(sqlite_url: str, tmp_path: Path, amount: str) -> None:
    store = Store(sqlite_url)
    executor = Executor(store, Ledger(store, clock=lambda: NOW), clock=lambda: NOW)
    action = invoice("A", amount)
    executor.execute(action, FileTarget(tmp_path / "a.json"), transaction_id="t")
    assert_buckets_match(store, [action], NOW)
