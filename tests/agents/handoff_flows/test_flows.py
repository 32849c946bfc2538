"""The three flows: both ends recorded with linked ids, the evidence carried, receivers read-only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from agents.handoff import Handoff, HandoffRouter, Proposed
from agents.handoff_flows import (
    BankChangeHold,
    DisputeCase,
    POFollowUpFromTicket,
    bank_change_handoffs,
    dispute_handoff,
    posted_invoices,
    purchase_request_handoff,
)
from agents.intake.messages import Attachment, Channel, InboundMessage
from agents.intake.outcomes import IntakeOutcome, IntakeResult
from agents.performers import ERPPerformer
from agents.procurement.supplier_master import load_supplier_erp
from agents.procurement.supplier_validation import validate_suppliers
from agents.service_desk.plan import Outcome
from agents.service_desk.results import TicketResult
from connectors.erp.fake import FakeERP
from connectors.erp.models import BankAccount, InvoiceStatus
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

POLICY = load_policy(Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def erp() -> FakeERP:
    return FakeERP.sample()


@pytest.fixture
def router(sqlite_url: str, erp: FakeERP) -> HandoffRouter:
    return HandoffRouter(Governor(POLICY, Store(sqlite_url), {"sap": ERPPerformer(erp)}, clock=lambda: NOW))


def _dispute(
    outcome: IntakeOutcome = IntakeOutcome.ROUTED, intent: str = "billing_dispute"
) -> tuple[IntakeResult, InboundMessage]:
    message = InboundMessage(
        channel=Channel.EMAIL,
        message_id="<d1@wurth.example>",
        sender_email="ap@wurth.example",
        subject="Invoice INV01 billed twice",
        body="INV01 bills the October delivery again. Statement attached.",
        attachments=(Attachment(filename="statement.pdf", content_type="application/pdf", size=4096),),
        received_at=NOW,
    )
    return IntakeResult(message.message_id, "intake-tx-1", outcome, intent, 0.93, case_id="00001042"), message


def test_dispute_becomes_an_ap_case_with_the_evidence_on_both_transactions(
    router: HandoffRouter, erp: FakeERP
) -> None:
    handoff = dispute_handoff(*_dispute())
    assert handoff is not None and handoff.from_transaction == "intake-tx-1"
    result = router.hand_off(handoff, DisputeCase(erp, "sap"))
    assert [o.status for o in result.outcomes] == ["executed"]
    assert erp.get_invoice("INV01").status is InvoiceStatus.ON_HOLD
    ledger = router.ledger
    (sent,) = ledger.records(transaction_id="intake-tx-1", kind="note")
    assert sent.agent == "customer_intake" and sent.payload["direction"] == "sent"
    assert sent.payload["to_transaction"] == handoff.transaction_id
    received = ledger.timeline(handoff.transaction_id)
    assert [r.kind for r in received][:2] == ["handoff", "decision"]
    assert received[0].payload["from_transaction"] == "intake-tx-1"
    evidence = received[0].payload["case"]["evidence"]
    assert (
        evidence["sender"] == "ap@wurth.example" and evidence["attachments"][0]["filename"] == "statement.pdf"
    )
    assert received[1].payload["rule"] == "ap.billing_dispute_hold"
    assert {r.agent for r in received} == {"ap_clerk"}


@pytest.mark.parametrize(
    ("outcome", "intent"),
    [(IntakeOutcome.RESOLVED, "billing_dispute"), (IntakeOutcome.ROUTED, "complaint")],
)
def test_only_routed_or_escalated_billing_disputes_are_handed_to_ap(
    outcome: IntakeOutcome, intent: str
) -> None:
    assert dispute_handoff(*_dispute(outcome, intent)) is None


def test_bank_change_found_by_validation_holds_the_vendors_posted_invoices(
    router: HandoffRouter, erp: FakeERP
) -> None:
    erp.update_vendor_bank_account("V22", BankAccount(iban="DE27100777770209299700"))  # V21's account
    report = validate_suppliers(load_supplier_erp(erp))
    (handoff,) = bank_change_handoffs(report, transaction_id="suppliers-1")
    assert handoff.case["vendor_id"] == "V22" and handoff.case["findings"][0]["kind"] == "shared_bank_account"
    receiver = BankChangeHold(erp, "sap", lambda vendor: ["INV03", "INV01"])  # INV01 is V08's: not touched
    result = router.hand_off(handoff, receiver)
    assert [o.status for o in result.outcomes] == ["executed"]
    assert erp.get_invoice("INV03").status is InvoiceStatus.ON_HOLD
    assert erp.get_invoice("INV01").status is InvoiceStatus.POSTED
    notes = [
        r.payload["message"]
        for r in router.ledger.records(kind="note")
        if r.payload.get("event") == "handoff_noted"
    ]
    assert notes == ["invoice INV01 belongs to V08, not V22"]
    (sent,) = router.ledger.records(transaction_id="suppliers-1", kind="note")
    assert sent.agent == "procurement" and sent.payload["event"] == "handoff_sent"


def test_ap_knows_the_invoices_it_posted_from_its_ledger(router: HandoffRouter) -> None:
    router.ledger.append(
        "ap-1",
        "execution_outcome",
        {
            "operation": "erp.post_invoice",
            "status": "executed",
            "document_id": "5105600009",
            "judged": {"counterparty": "v22 "},
        },
        agent="ap_clerk",
    )
    assert posted_invoices(router.ledger)("V22") == ["5105600009"]
    assert posted_invoices(router.ledger)("V21") == []


def test_purchase_request_ticket_becomes_a_po_follow_up(router: HandoffRouter, erp: FakeERP) -> None:
    ticket = TicketResult(
        "RITM0001", "servicenow", 0, "servicenow:RITM0001", Outcome.RESOLVED, "procurement_inquiry", 0.9
    )
    handoff = purchase_request_handoff(ticket, "Where is purchase order PO005 and PO 999999?")
    assert handoff is not None and handoff.case["po_numbers"] == ["005", "999999"]
    result = router.hand_off(handoff, POFollowUpFromTicket(erp, "sap", lambda: date(2026, 12, 1)))
    assert [o.status for o in result.outcomes] == ["shadowed"]  # the example policy's PO follow-up tier
    (decision,) = router.ledger.records(transaction_id=handoff.transaction_id, kind="decision")
    assert decision.payload["proposed"]["target"] == "PO005" and decision.agent == "procurement"
    notes = [
        r.payload["message"]
        for r in router.ledger.records(kind="note")
        if r.payload.get("event") == "handoff_noted"
    ]
    assert notes == ["purchase order 999999 is not in the ERP"]
    other = TicketResult("INC1", "servicenow", 0, "servicenow:INC1", Outcome.RESOLVED, "password_reset", 0.9)
    assert purchase_request_handoff(other, "PO005") is None


def test_a_failing_receiver_is_a_recorded_stop_and_counts_against_it(router: HandoffRouter) -> None:
    def broken(handoff: Handoff) -> list[Proposed]:
        raise ConnectionError("ERP unreachable")

    result = router.hand_off(
        Handoff("C-1", "procurement", "ap_clerk", "bank_change", from_transaction="s-1"), broken
    )
    assert result.status == "escalated" and result.guard == "receiver_failed"
    assert "ERP unreachable" in result.message
    assert (
        Ledger(router.governor.store).records(kind="escalation")[-1].payload["reason"]
        == "handoff_receiver_failed"
    )
