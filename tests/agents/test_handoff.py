"""Hand-offs between agents: correlation in the ledger, no scope widening, and guards that stop."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents.handoff import Handoff, HandoffRouter
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from governance.action import Action
from governance.ledger import Ledger
from governance.operations import bank_account_keys
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

POLICY = load_policy(Path(__file__).resolve().parents[2] / "fixtures" / "policy.yaml")
INVOICES = [("INV01", "V08", "1339.71"), ("INV03", "V22", "7065.48"), ("INV05", "V20", "7737.84")]


@pytest.fixture
def erp() -> FakeERP:
    return FakeERP.sample()


@pytest.fixture
def governor(sqlite_url: str, erp: FakeERP) -> Governor:
    return Governor(POLICY, Store(sqlite_url), {"sap": ERPPerformer(erp)})


def payment(invoice: str, vendor: str, amount: str, agent: str = "ap_clerk") -> Action:
    return Action(
        agent=agent,
        system="sap",
        operation="erp.schedule_payment",
        target=invoice,
        business_key=f"{vendor}/{invoice}/payment",
        params={
            "payment_date": "2026-12-01",
            "amount": str(Decimal(amount)),
            "currency": "EUR",
            "vendor_id": vendor,
            "bank_accounts": bank_account_keys(FakeERP.sample().get_vendor(vendor).bank_accounts),
        },
    )


def dispute(depth: int = 1) -> Handoff:
    return Handoff(
        "CASE-42",
        "customer_intake",
        "ap_clerk",
        "billing dispute: customer says unpaid",
        {"case": "42"},
        depth,
    )


def test_a_handoff_is_recorded_and_the_receiver_acts_under_its_own_policy(
    governor: Governor, erp: FakeERP
) -> None:
    router = HandoffRouter(governor)
    result = router.hand_off(dispute(), lambda h: [payment("INV01", "V08", "1339.71")])
    assert result.status == "done" and [o.status for o in result.outcomes] == ["executed"]
    records = Ledger(governor.store).timeline(dispute().transaction_id)
    assert records[0].kind == "handoff" and records[0].payload["correlation_id"] == "CASE-42"
    assert {r.agent for r in records} == {"ap_clerk"}
    assert len(erp.payments) == 1


def test_a_handoff_never_widens_scope(governor: Governor, erp: FakeERP) -> None:
    router = HandoffRouter(governor)
    smuggled = payment("INV01", "V08", "1339.71", agent="customer_intake")
    result = router.hand_off(dispute(), lambda h: [smuggled])
    assert result.status == "escalated" and result.guard == "scope"
    assert not erp.payments
    # and the receiver's own policy still applies: customer_intake may not pay even if asked to
    to_intake = Handoff("CASE-43", "ap_clerk", "customer_intake", "refund?")
    denied = router.hand_off(to_intake, lambda h: [smuggled])
    assert [o.status for o in denied.outcomes] == ["denied"] and not erp.payments


def test_a_chain_stops_at_the_depth_limit_with_nothing_executed_past_it(
    governor: Governor, erp: FakeERP
) -> None:
    router = HandoffRouter(governor, max_depth=2)
    seen: list[int] = []

    def receiver(handoff: Handoff) -> list[Action]:
        seen.append(handoff.depth)
        invoice, vendor, amount = INVOICES[handoff.depth - 1]
        return [payment(invoice, vendor, amount)]

    first = router.hand_off(dispute(), receiver)
    second = router.hand_off(dispute().next("ap_clerk", "second opinion"), receiver)
    third = router.hand_off(dispute().next("ap_clerk", "again").next("ap_clerk", "and again"), receiver)
    assert first.status == second.status == "done"
    assert third.status == "escalated" and third.guard == "max_depth" and "depth 3 exceeds 2" in third.message
    assert seen == [1, 2]  # the receiver was never even asked at depth 3
    assert len(erp.payments) == 2
    escalation = Ledger(governor.store).records(kind="escalation")[-1].payload
    assert escalation["reason"] == "handoff_max_depth" and escalation["correlation_id"] == "CASE-42"


def test_the_budget_stops_a_receiver_mid_case(governor: Governor, erp: FakeERP) -> None:
    router = HandoffRouter(governor, budget=2)
    result = router.hand_off(dispute(), lambda h: [payment(*invoice) for invoice in INVOICES])
    assert result.status == "escalated" and result.guard == "budget"
    assert [o.status for o in result.outcomes] == ["executed", "executed"]
    assert len(erp.payments) == 2  # the third payment was never submitted
    escalation = Ledger(governor.store).records(kind="escalation")[-1].payload
    assert len(escalation["executed_before_stop"]) == 2


def test_the_circuit_breaker_opens_alerts_and_stops_further_handoffs(
    governor: Governor, erp: FakeERP
) -> None:
    alerts: list[tuple[str, dict[str, Any]]] = []
    router = HandoffRouter(
        governor, error_rate=0.5, min_volume=2, on_alert=lambda e, d: alerts.append((e, d))
    )
    not_granted = Action(
        agent="ap_clerk", system="sap", operation="erp.update_vendor", target="V02", business_key="V02/bank"
    )
    # 1 error in 2 actions reaches the 50 % threshold: the third action is never submitted
    tripped = router.hand_off(
        dispute(), lambda h: [payment("INV01", "V08", "1339.71"), not_granted, not_granted]
    )
    assert tripped.guard == "circuit_open" and [o.status for o in tripped.outcomes] == ["executed", "denied"]
    assert router.is_open("ap_clerk") and alerts and alerts[0][0] == "circuit_opened"
    later = router.hand_off(
        Handoff("CASE-99", "procurement", "ap_clerk", "pay"), lambda h: [payment("INV03", "V22", "7065.48")]
    )
    assert later.status == "escalated" and later.guard == "circuit_open" and not later.outcomes
    assert len(erp.payments) == 1
    router.reset("ap_clerk", by="alice")
    assert not router.is_open("ap_clerk")
    events = [r.payload["event"] for r in Ledger(governor.store).records(kind="note") if "event" in r.payload]
    assert "circuit_opened" in events and "circuit_closed" in events


def test_guard_settings_are_validated(governor: Governor) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        HandoffRouter(governor, max_depth=0)
