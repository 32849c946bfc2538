"""Executor: exactly once per business key, reconcile before any re-send, `unknown` escalates."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from governance_doubles import FileTarget, invoice, make_policy, payment
from sqlalchemy import select, update

from connectors.errors import RateLimitedError
from governance.action import Action
from governance.context import running_totals
from governance.errors import ExecutionError
from governance.executor import ExecutionResult, Executor, executions, to_micros
from governance.gate import required_aggregates
from governance.ledger import Ledger
from governance.store import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def executor(database_url: str) -> Executor:
    store = Store(database_url)
    return Executor(store, Ledger(store, clock=lambda: NOW), clock=lambda: NOW, sleep=lambda _: None)


def kinds(executor: Executor, txn: str = "t1") -> list[str]:
    return [record.kind for record in executor.ledger.records(txn)]


def status_of(executor: Executor, key: str) -> str:
    with executor.store.connect() as connection:
        return str(
            connection.execute(
                select(executions.c.status).where(executions.c.idempotency_key == key)
            ).scalar_one()
        )


def test_performs_once_and_second_submission_is_a_duplicate(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json")
    first = executor.execute(invoice(), target, transaction_id="t1")
    second = executor.execute(invoice(), target, transaction_id="t2")
    assert (first.status, first.document_id) == ("executed", "DOC-0001")
    assert (second.status, second.document_id) == ("duplicate", "DOC-0001")
    assert target.writes == ["V1:INV-1"] and target.perform_calls == 1
    assert kinds(executor, "t1") == ["execution_started", "execution_outcome"]
    duplicate = executor.ledger.records("t2")[0]
    assert duplicate.payload["status"] == "duplicate" and duplicate.payload["original_transaction_id"] == "t1"
    assert executor.ledger.verify().ok


def test_business_error_fails_with_the_vendor_message_and_may_be_resubmitted(
    executor: Executor, tmp_path: Path
) -> None:
    target = FileTarget(tmp_path / "target.json", ["reject"])
    failed = executor.execute(invoice(), target, transaction_id="t1")
    assert failed.status == "failed" and "invoice already blocked" in failed.message
    assert status_of(executor, invoice().idempotency_key) == "failed"
    retried = executor.execute(invoice(), target, transaction_id="t1")
    assert retried.status == "executed" and target.writes == ["V1:INV-1"]


def test_unknown_outcome_reconciles_and_finds_the_write(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json", ["unknown_after"])
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "executed" and outcome.reconciled and outcome.document_id == "DOC-0001"
    assert target.writes == ["V1:INV-1"] and target.perform_calls == 1 and target.reconcile_calls == 1


def test_unknown_outcome_with_no_document_is_sent_again(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json", ["unknown_before"])
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "executed" and not outcome.reconciled and outcome.attempts == 2
    assert target.writes == ["V1:INV-1"] and target.reconcile_calls == 1


def test_cannot_tell_means_unknown_and_an_escalation(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json", ["unknown_after"], reconcile_mode="cannot_tell")
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "unknown" and outcome.document_id is None
    assert kinds(executor) == ["execution_started", "execution_outcome", "escalation"]
    assert status_of(executor, invoice().idempotency_key) == "unknown"
    # A later run reconciles first; once the lookup works it finds the write and never re-sends.
    target.reconcile_mode = "lookup"
    again = executor.execute(invoice(), target, transaction_id="t1")
    assert again.status == "executed" and again.reconciled and target.perform_calls == 1
    assert target.writes == ["V1:INV-1"]


def test_retriable_errors_are_retried_a_bounded_number_of_times(executor: Executor, tmp_path: Path) -> None:
    delays: list[float] = []
    executor.sleep = delays.append
    target = FileTarget(tmp_path / "target.json", ["server", "server", "server", "server"])
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "failed" and "gave up after 3 attempts" in outcome.message
    assert target.perform_calls == 3 and target.writes == [] and delays == [0.5, 1.0, 2.0]
    recovered = executor.execute(
        invoice(), FileTarget(tmp_path / "target.json", ["server"]), transaction_id="t1"
    )
    assert recovered.status == "executed" and recovered.attempts == 2


def test_rate_limit_honours_retry_after_capped(executor: Executor, tmp_path: Path) -> None:
    delays: list[float] = []
    executor.sleep = delays.append

    class Throttled(FileTarget):
        def perform(self, action):  # type: ignore[no-untyped-def]
            if not delays:
                raise RateLimitedError("slow down", vendor="file", status=429, retry_after=120)
            return super().perform(action)

    outcome = executor.execute(invoice(), Throttled(tmp_path / "t.json"), transaction_id="t1")
    assert outcome.status == "executed" and delays == [30.0]


def test_transient_errors_are_not_retried_for_performers_that_cannot_reconcile(
    executor: Executor, tmp_path: Path
) -> None:
    target = FileTarget(tmp_path / "target.json", ["server"], reconcilable=False)
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "failed" and "not retried" in outcome.message and target.perform_calls == 1


def test_started_record_of_a_dead_worker_is_reconciled_before_sending(
    executor: Executor, tmp_path: Path
) -> None:
    target = FileTarget(tmp_path / "target.json")
    action = invoice()
    with executor.store.begin() as connection:
        executor.claim(connection, action, "t1")
        connection.execute(
            update(executions)
            .where(executions.c.idempotency_key == action.idempotency_key)
            .values(owner=f"{socket.gethostname()}:999999999")
        )
    # The crashed worker had written the document before dying.
    target._write(action)
    outcome = executor.execute(action, target, transaction_id="t1")
    assert outcome.status == "executed" and outcome.reconciled and target.writes == ["V1:INV-1"]


def test_started_record_of_a_live_worker_is_a_duplicate_in_flight(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json")
    with executor.store.begin() as connection:
        claim = executor.claim(connection, invoice(), "t1")
    second = executor.execute(invoice(), target, transaction_id="t2")
    assert second.status == "duplicate" and "in progress" in second.message and target.perform_calls == 0
    assert executor.complete(claim, target).status == "executed"
    assert target.writes == ["V1:INV-1"]


def test_started_record_from_another_host_waits_for_its_lease(executor: Executor, tmp_path: Path) -> None:
    target = FileTarget(tmp_path / "target.json")
    with executor.store.begin() as connection:
        executor.claim(connection, invoice(), "t1")
        connection.execute(update(executions).values(owner="elsewhere:1"))
    assert executor.execute(invoice(), target, transaction_id="t2").status == "duplicate"
    executor.clock = lambda: NOW + timedelta(minutes=11)
    assert executor.execute(invoice(), target, transaction_id="t2").status == "executed"


def test_running_totals_count_done_and_in_flight_but_not_failed(executor: Executor, tmp_path: Path) -> None:
    policy = make_policy()
    executor.execute(invoice("A", "1000.00"), FileTarget(tmp_path / "a.json"), transaction_id="t")
    executor.execute(invoice("B", "250.00"), FileTarget(tmp_path / "b.json", ["reject"]), transaction_id="t")
    executor.execute(invoice("C", "400.00", vendor="V2"), FileTarget(tmp_path / "c.json"), transaction_id="t")
    with executor.store.begin() as connection:
        executor.claim(connection, payment("P", "300.00"), "t")  # in flight: counts
    keys = required_aggregates(invoice("D"), policy, NOW)
    with executor.store.connect() as connection:
        totals = running_totals(connection, keys)
    assert totals == {keys[0]: Decimal("1300.00")}
    tomorrow = required_aggregates(invoice("D"), policy, NOW + timedelta(days=1))
    with executor.store.connect() as connection:
        assert running_totals(connection, tomorrow) == {tomorrow[0]: Decimal(0)}


def test_micro_amounts_round_up_so_limits_only_get_stricter() -> None:
    assert to_micros(Decimal("37.50")) == 37_500_000
    assert to_micros(Decimal("0.0000001")) == 1
    assert to_micros(Decimal("-0.0000001")) == 0
    assert to_micros(None) is None


class RefusingTarget(FileTarget):
    """A performer with a wiring fault: it refuses before sending, and its look-up is broken."""

    def perform(self, action: Action) -> ExecutionResult:
        self.perform_calls += 1
        raise ExecutionError(f"{action.operation}: missing parameter 'vendor_id'")

    def reconcile(self, action: Action) -> ExecutionResult | None:
        self.reconcile_calls += 1
        raise KeyError("vendor_id")


def test_a_performer_refusing_before_sending_fails_and_is_recorded(
    executor: Executor, tmp_path: Path
) -> None:
    target = RefusingTarget(tmp_path / "target.json")
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "failed" and "missing parameter 'vendor_id'" in outcome.message
    assert target.perform_calls == 1 and target.reconcile_calls == 0
    assert kinds(executor) == ["execution_started", "execution_outcome"]
    assert status_of(executor, invoice().idempotency_key) == "failed"


def test_a_reconcile_that_crashes_means_unknown_never_limbo(executor: Executor, tmp_path: Path) -> None:
    target = RefusingTarget(tmp_path / "target.json")
    target.perform = FileTarget(tmp_path / "target.json", ["unknown_after"]).perform  # type: ignore[method-assign]
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "unknown" and "KeyError" in outcome.message
    assert kinds(executor) == ["execution_started", "execution_outcome", "escalation"]
    assert status_of(executor, invoice().idempotency_key) == "unknown"


def test_an_uncertain_write_is_never_resent_by_a_performer_that_cannot_reconcile(
    executor: Executor, tmp_path: Path
) -> None:
    target = FileTarget(tmp_path / "target.json", ["unknown_before"], reconcilable=False)
    outcome = executor.execute(invoice(), target, transaction_id="t1")
    assert outcome.status == "unknown" and target.perform_calls == 1 and target.reconcile_calls == 0
    assert status_of(executor, invoice().idempotency_key) == "unknown"
    again = executor.execute(invoice(), target, transaction_id="t1")
    assert again.status == "unknown" and target.perform_calls == 1
