"""The Governor: every verdict leads to the right outcome and the right ledger story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from governance_doubles import FileTarget, invoice, make_policy, payment

import governance.runtime
from governance.action import Action
from governance.gate import Decision
from governance.runtime import Governor
from governance.store import Store

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def target(tmp_path: Path) -> FileTarget:
    return FileTarget(tmp_path / "target.json")


@pytest.fixture
def governor(sqlite_url: str, target: FileTarget) -> Governor:
    return Governor(make_policy(), Store(sqlite_url), {"sap": target}, clock=lambda: NOW)


def story(governor: Governor, txn: str) -> list[str]:
    return [record.kind for record in governor.ledger.timeline(txn)]


def test_execute_records_verdict_start_and_outcome_with_document_id(governor: Governor) -> None:
    outcome = governor.submit(invoice(), transaction_id="t1")
    assert outcome.status == "executed" and outcome.document_id == "DOC-0001"
    assert outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE
    assert story(governor, "t1") == ["verdict", "execution_started", "execution_outcome"]
    verdict, _, result = governor.ledger.timeline("t1")
    assert verdict.payload["policy_version"] == governor.policy.version
    assert verdict.payload["action"]["business_key"] == "V1:INV-1"
    assert result.payload["document_id"] == "DOC-0001"


def test_deny_and_shadow_never_touch_the_target(governor: Governor, target: FileTarget) -> None:
    denied = governor.submit(invoice(amount="100000.01"), transaction_id="t1")
    assert denied.status == "denied" and denied.reasons[0].code.value == "hard_limit"
    out_of_scope = governor.submit(invoice(operation="erp.merge_vendors"), transaction_id="t1")
    assert out_of_scope.status == "denied"
    shadowed = governor.submit(invoice(operation="erp.update_vendor"), transaction_id="t2")
    assert shadowed.status == "shadowed"
    assert story(governor, "t2") == ["verdict"]
    assert governor.ledger.timeline("t2")[0].payload["decision"] == "shadow"
    assert target.perform_calls == 0


def test_hold_creates_a_durable_request_with_route_and_expiry(governor: Governor) -> None:
    outcome = governor.submit(invoice(amount="1000.01"), transaction_id="t1")
    assert outcome.status == "held" and outcome.approval_id
    requested = governor.ledger.timeline("t1")[-1]
    assert requested.kind == "approval_requested"
    assert requested.payload["approval_id"] == outcome.approval_id
    assert requested.payload["route"] == {"queue": "ap", "sla_hours": 8}
    assert datetime.fromisoformat(requested.payload["expires_at"]) == NOW + timedelta(hours=24)


def test_hotl_executes_and_leaves_a_reversal_window_note(governor: Governor) -> None:
    outcome = governor.submit(
        invoice(operation="erp.hold_invoice", amount=None, currency=None), transaction_id="t1"
    )
    assert outcome.status == "executed"
    note = governor.ledger.timeline("t1")[-1]
    assert note.kind == "note" and note.payload["event"] == "human_on_the_loop_review"
    assert datetime.fromisoformat(note.payload["reversible_until"]) == NOW + timedelta(hours=12)


def test_aggregate_limit_counts_executed_amounts(governor: Governor) -> None:
    for number in ("A", "B", "C"):
        assert governor.submit(invoice(number, "1000.00"), transaction_id=number).status == "executed"
    over = governor.submit(invoice("D", "0.01"), transaction_id="D")
    assert over.status == "held" and "aggregate_limit" in [r.code.value for r in over.reasons]
    assert governor.submit(invoice("E", "0.01", vendor="V2"), transaction_id="E").status == "executed"


def test_missing_performer_fails_visibly(sqlite_url: str) -> None:
    governor = Governor(make_policy(), Store(sqlite_url), {}, clock=lambda: NOW)
    outcome = governor.submit(invoice(), transaction_id="t1")
    assert outcome.status == "failed" and "no performer for system 'sap'" in outcome.message


def test_failed_and_unknown_outcomes_surface(sqlite_url: str, tmp_path: Path) -> None:
    rejecting = FileTarget(tmp_path / "t.json", ["reject"])
    governor = Governor(make_policy(), Store(sqlite_url), {"sap": rejecting}, clock=lambda: NOW)
    assert governor.submit(invoice(), transaction_id="t1").status == "failed"
    lost = FileTarget(tmp_path / "t.json", ["unknown_after"], reconcile_mode="cannot_tell")
    governor.performers = {"sap": lost}
    assert governor.submit(invoice("X"), transaction_id="t2").status == "unknown"
    assert story(governor, "t2")[-1] == "escalation"


def test_performers_factory_is_passed_explicitly(sqlite_url: str, target: FileTarget) -> None:
    from opspack.wiring import ApprovalWiring

    asked: list[str] = []

    def factory(policy, agent):  # type: ignore[no-untyped-def]
        asked.append(agent)
        return {"sap": target}

    # no process-wide registry: a command or the console is handed its factory
    assert not hasattr(governance.runtime, "set_performers_factory")
    assert not hasattr(governance.runtime, "performers_factory")
    store = Store(sqlite_url)
    governor = ApprovalWiring(factory).governor(make_policy(), store, "ap")
    assert asked == ["ap"] and governor.performers == {"sap": target}
    assert ApprovalWiring().governor(make_policy(), store, "ap").performers == {}


def test_payment_is_always_held_under_hitl(governor: Governor) -> None:
    outcome = governor.submit(payment(amount="1.00"), transaction_id="t1")
    assert outcome.status == "held" and [r.code.value for r in outcome.reasons] == ["tier_hitl"]
    assert isinstance(payment(), Action)
