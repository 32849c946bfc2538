"""Human outcomes of AP cases read from the ERP: the agent posts an invoice on hold and escalates it,
a clerk releases it in the ERP (SAP mock, NetSuite mock, FakeERP), and the collection the runtime
schedules reads who and when back from the ERP and compares it with the agent's proposal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from agents.ap.agent import APAgent
from agents.invoice_outcomes import InvoiceOutcomeReader
from agents.outcome_readers import collect_with_connectors
from agents.performers import ERPPerformer
from connectors.erp import FakeERP
from connectors.erp.conformance_invoices import CLERK_USER
from connectors.erp.models import InvoiceDraft, InvoiceStatus, PurchaseOrder, PurchaseOrderStatus
from connectors.erp.protocol import ERPConnector
from connectors.netsuite import NetSuiteAdapter
from connectors.sap import SapS4HanaAdapter
from governance.human_outcomes import pending_cases
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.sap import SapMock
from mocks.transport import mount_mocks
from opspack.settings import policy_path

SAP, NS = "https://sap.mock", "https://netsuite.mock"
SAP_USER, SAP_PASSWORD, CLERK_PASSWORD = "OPSPACK_COMM", "Welcome-S4H-2024!", "Clerk-S4H-2024!"
CLERK_TOKEN, CLERK_SECRET = "c1e4c0" * 10 + "0005", "c1e45e" * 10 + "0006"
LATER = datetime.now(UTC) + timedelta(days=1)


def _erps(kind: str) -> tuple[ERPConnector, ERPConnector]:
    """(the agent's connection, a clerk's connection) to one ERP."""
    if kind == "fake":
        fake = FakeERP.sample()
        return fake, fake.session(CLERK_USER)
    if kind == "sap":
        mock = SapMock.from_fixtures(users={SAP_USER: SAP_PASSWORD, CLERK_USER: CLERK_PASSWORD})
        session = mount_mocks(requests.Session(), {SAP: mock})
        return (
            SapS4HanaAdapter(SAP, SAP_USER, SAP_PASSWORD, session=session),
            SapS4HanaAdapter(SAP, CLERK_USER, CLERK_PASSWORD, session=session),
        )
    ns = NetSuiteMock.from_fixtures(
        tokens={TOKEN_ID: (CONSUMER_KEY, TOKEN_SECRET), CLERK_TOKEN: (CONSUMER_KEY, CLERK_SECRET)},
        employees={TOKEN_ID: "OPSPACK_INTEGRATION", CLERK_TOKEN: CLERK_USER},
    )
    session = mount_mocks(requests.Session(), {NS: ns})
    keys = (ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET)
    return (
        NetSuiteAdapter(NS, *keys, TOKEN_ID, TOKEN_SECRET, session=session),
        NetSuiteAdapter(NS, *keys, CLERK_TOKEN, CLERK_SECRET, session=session),
    )


@pytest.fixture(params=["fake", "sap", "netsuite"])
def erps(request: pytest.FixtureRequest) -> Iterator[tuple[ERPConnector, ERPConnector]]:
    yield _erps(request.param)


def _order(erp: ERPConnector, rank: int = 0) -> PurchaseOrder:
    """The smallest open EUR order of an unblocked vendor with a bank account on file (under the caps)."""
    candidates = []
    for order in erp.list_purchase_orders(status=PurchaseOrderStatus.OPEN):
        vendor = erp.get_vendor(order.vendor_id)
        payable = not vendor.blocked and bool(vendor.bank_accounts) and bool(vendor.bank_accounts[0].iban)
        if order.lines and order.currency == "EUR" and payable:
            candidates.append((sum(line.quantity * line.unit_price for line in order.lines), order.id, order))
    assert candidates, "the sample company has no open order of a payable vendor"
    return sorted(candidates)[rank][2]


def _invoice_file(folder: Path, erp: ERPConnector, order: PurchaseOrder, reference: str, markup: str) -> Path:
    """The order billed in full at its prices times `markup` (1.12: a 12 % price variance)."""
    vendor = erp.get_vendor(order.vendor_id)
    lines, net = [], Decimal("0")
    for line in order.lines:
        price = (line.unit_price * Decimal(markup)).quantize(Decimal("0.01"))
        amount = (price * line.quantity).quantize(Decimal("0.01"))
        net += amount
        lines.append(
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(price),
                "amount": str(amount),
                "po_line": line.line,
            }
        )
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    data: dict[str, Any] = {
        "vendor_name": vendor.name,
        "vendor_tax_id": vendor.tax_id,
        "invoice_number": reference,
        "po_number": order.id,
        "currency": order.currency,
        "iban": vendor.bank_accounts[0].iban,
        "invoice_date": "2024-09-02",
        "due_date": "2024-10-02",
        "subtotal": str(net),
        "tax": str(tax),
        "total": str(net + tax),
        "lines": lines,
    }
    path = folder / f"{reference}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _agent(erp: ERPConnector, tmp_path: Path) -> APAgent:
    governor = Governor(
        load_policy(policy_path()), Store(f"sqlite:///{tmp_path / 'ap.db'}"), {"sap": ERPPerformer(erp)}
    )
    return APAgent(governor, erp, system="sap")


def test_a_held_invoice_released_by_a_clerk_is_read_back_with_who_and_when(
    erps: tuple[ERPConnector, ERPConnector], tmp_path: Path
) -> None:
    erp, clerk = erps
    agent = _agent(erp, tmp_path)
    order = _order(erp)
    result = agent.process(_invoice_file(tmp_path, erp, order, "HO-0001", "1.12"))
    assert result.status == "held" and "price_variance" in result.reasons and result.document_id
    held = erp.get_invoice(result.document_id)
    assert held.status is InvoiceStatus.ON_HOLD and held.released_by is None
    ledger = agent.ledger
    assert [c.transaction_id for c in pending_cases(ledger)] == [result.transaction_id]

    reader = InvoiceOutcomeReader(erp, system="sap", service_accounts=())
    assert reader.read(pending_cases(ledger)[0]) is None, "nobody has decided yet"
    released = clerk.release_invoice(result.document_id)
    assert released.status is InvoiceStatus.POSTED

    report = collect_with_connectors(ledger, LATER, erp=[("sap", erp)])
    assert report.errors == [] and len(report.recorded) == 1
    note = next(
        r for r in ledger.records(result.transaction_id, kind="note") if r.payload["event"] == "human_outcome"
    )
    seen = erp.get_invoice(result.document_id)
    assert note.payload["decided_by"] == CLERK_USER and note.actor == CLERK_USER
    assert seen.released_at is not None and note.payload["decided_at"] == seen.released_at.isoformat()
    assert (note.payload["source"], note.payload["system"], note.payload["resolution"]) == (
        "system",
        "sap",
        "released",
    )
    assert note.payload["reference"] == result.document_id
    human = note.payload["human"]
    assert human["operation"] == "erp.release_invoice" and human["target"] == result.document_id
    assert Decimal(human["amount"]) == held.gross_amount
    # compared field by field with the agent's last proposal (the hold); an escalation is not scored
    assert note.payload["proposed"]["operation"] == "erp.hold_invoice"
    assert note.payload["differences"] == ["operation: agent 'erp.hold_invoice', human 'erp.release_invoice'"]
    assert note.payload["agreed"] is None
    assert pending_cases(ledger) == []
    again = collect_with_connectors(ledger, LATER, erp=[("sap", erp)])
    assert again.recorded == [] and again.checked == 0


def test_a_shadowed_posting_is_compared_with_what_the_clerk_posted(tmp_path: Path) -> None:
    """Shadow tier: the agent only proposes; the clerk posts in the ERP; amounts decide agreement."""
    from agents.ap.replay import shadow_policy

    erp, clerk = _erps("sap")
    governor = Governor(
        shadow_policy(policy_path()), Store(f"sqlite:///{tmp_path / 'shadow.db'}"), {"sap": ERPPerformer(erp)}
    )
    agent = APAgent(governor, erp, system="sap")
    agreed = agent.process(_invoice_file(tmp_path, erp, _order(erp), "SH-0001", "1.00"))
    differs = agent.process(_invoice_file(tmp_path, erp, _order(erp, 1), "SH-0002", "1.00"))
    assert agreed.status == differs.status == "shadowed"
    for result, extra in ((agreed, Decimal("0")), (differs, Decimal("10.00"))):
        post = next(
            r.payload["action"]
            for r in governor.ledger.records(result.transaction_id, kind="verdict")
            if r.payload["action"]["operation"] == "erp.post_invoice"
        )
        draft = InvoiceDraft.model_validate(post["params"]["invoice"])
        clerk.create_invoice(draft.model_copy(update={"gross_amount": draft.gross_amount + extra}))
    report = collect_with_connectors(governor.ledger, LATER, erp=[("sap", erp)])
    outcome = {r.transaction_id: r for r in report.recorded}
    assert outcome[agreed.transaction_id].agreed is True and outcome[agreed.transaction_id].differences == ()
    assert outcome[differs.transaction_id].agreed is False
    assert any(d.startswith("amount:") for d in outcome[differs.transaction_id].differences)
    note = next(
        r
        for r in governor.ledger.records(agreed.transaction_id, kind="note")
        if r.payload["event"] == "human_outcome"
    )
    assert note.payload["decided_by"] == CLERK_USER and note.payload["resolution"] == "posted"


def test_what_the_agent_or_its_own_users_wrote_is_never_a_human_outcome(tmp_path: Path) -> None:
    from governance.ledger import Ledger

    erp = FakeERP.sample()
    order = _order(erp)
    invoice = erp.create_invoice(
        InvoiceDraft(
            vendor_id=order.vendor_id,
            reference="MACHINE-1",
            invoice_date=order.order_date or datetime(2024, 9, 1).date(),
            currency=order.currency,
            gross_amount=Decimal("100.00"),
            hold_reason="price variance",
        )
    )
    ledger = Ledger(Store(f"sqlite:///{tmp_path / 'machine.db'}"))
    txn = "txn-machine"
    ledger.append(
        txn, "decision", {"plan": {"vendor_id": order.vendor_id, "reference": "MACHINE-1"}}, agent="ap_clerk"
    )
    ledger.append(txn, "escalation", {"document_id": invoice.id}, agent="ap_clerk")
    erp.release_invoice(invoice.id)  # released through the agent's own connection (OPSPACK_COMM)
    (case,) = pending_cases(ledger)
    assert InvoiceOutcomeReader(erp, system="sap", service_accounts=("OPSPACK_COMM",)).read(case) is None
    ledger.append(
        txn, "execution_outcome", {"operation": "erp.release_invoice", "status": "executed"}, agent="ap_clerk"
    )
    (case,) = pending_cases(ledger)
    assert InvoiceOutcomeReader(erp, system="sap", service_accounts=()).read(case) is None, (
        "the agent released it"
    )
    other = InvoiceOutcomeReader(erp, system="sap", service_accounts=(), agents=("service_desk",))
    assert other.read(case) is None, "not an AP case for this reader"
