"""Two workers on one invoice: the one that meets the other's work says so -- never a failure, never
a duplicate exception for an invoice its colleague just posted, never a timeline that says both."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from agents.ap.agent import APAgent
from agents.ap.result import APResult
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Vendor,
)
from governance.action import Action
from governance.executor import ExecutionResult
from governance.ledger import LedgerRecord
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.settings import policy_path

IBAN = "DE02120300000000202051"
NOW = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


def company() -> FakeERP:
    erp = FakeERP()
    erp.add_vendor(Vendor(id="V1", name="Bürobedarf Schneider KG", tax_id="DE136695976", bank_accounts=(BankAccount(iban=IBAN),)))  # fmt: skip
    line = PurchaseOrderLine(line="10", description="Ergonomic office chair", quantity=Decimal(200), unit="EA", unit_price=Decimal("250.00"))  # fmt: skip
    erp.add_purchase_order(PurchaseOrder(id="PO1", vendor_id="V1", currency="EUR", status=PurchaseOrderStatus.OPEN, lines=(line,)))  # fmt: skip
    erp.add_goods_receipt(GoodsReceipt(id="GR1", po_id="PO1", po_line="10", quantity=Decimal(200), unit="EA", receipt_date=date(2024, 6, 1)))  # fmt: skip
    return erp


def invoice(folder: Path, number: str) -> Path:
    data = {
        "vendor_name": "Bürobedarf Schneider KG",
        "vendor_tax_id": "DE136695976",
        "invoice_number": number,
        "po_number": "PO1",
        "currency": "EUR",
        "iban": IBAN,
        "invoice_date": "2024-06-20",
        "due_date": "2024-07-20",
        "subtotal": "1000.00",
        "tax": "190.00",
        "total": "1190.00",
        "lines": [
            {
                "description": "Ergonomic office chair",
                "quantity": "4",
                "unit": "EA",
                "unit_price": "250.00",
                "amount": "1000.00",
                "po_line": "10",
            }
        ],
    }
    path = folder / f"{number}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class Performer(ERPPerformer):
    """Runs `during_post` while the post is in flight (the other worker arriving meanwhile)."""

    def __init__(self, erp: FakeERP) -> None:
        super().__init__(erp)
        self.during_post: Any = None

    def perform(self, action: Action) -> ExecutionResult:
        if action.operation == "erp.post_invoice" and self.during_post is not None:
            hook, self.during_post = self.during_post, None
            hook()
        return super().perform(action)


def two_workers(tmp_path: Path) -> tuple[APAgent, APAgent, Performer, FakeERP]:
    erp = company()
    store = Store(f"sqlite:///{tmp_path / 'ap.db'}")
    performer = Performer(erp)
    policy = load_policy(policy_path())
    first = APAgent(Governor(policy, store, {"sap": performer}, clock=lambda: NOW), erp, system="sap")
    second = APAgent(
        Governor(policy, store, {"sap": ERPPerformer(erp)}, clock=lambda: NOW), erp, system="sap"
    )
    return first, second, performer, erp


def kinds(agent: APAgent, txn: str) -> list[str]:
    return [record.kind for record in agent.ledger.records(txn)]


def test_a_worker_meeting_a_post_in_flight_reports_in_progress_elsewhere(tmp_path: Path) -> None:
    first, second, performer, erp = two_workers(tmp_path)
    path = invoice(tmp_path, "BS-7")
    seen: list[APResult] = []

    def other_worker() -> None:  # another thread of this process: the executor sees the key in flight
        thread = threading.Thread(target=lambda: seen.append(second.process(path)))
        thread.start()
        thread.join()

    performer.during_post = other_worker
    result = first.process(path)
    assert result.status == "posted"
    [other] = seen
    assert other.status == "in_progress_elsewhere" and "already in progress" in other.message
    recorded = kinds(first, result.transaction_id)
    assert "escalation" not in recorded  # no clerk gets a case for it
    completed = [r for r in first.ledger.records(result.transaction_id, kind="note") if r.payload.get("event") == "ap_completed"]  # fmt: skip
    assert [r.payload["result"]["status"] for r in completed] == ["posted"]  # one ending, not two
    assert len([i for i in erp.invoices if i.reference == "BS-7"]) == 1
    again = second.process(path)  # the item comes back: resumed, already done
    assert (again.status, again.resumed, again.document_id) == ("posted", True, result.document_id)


def test_a_worker_that_finds_its_colleagues_post_in_the_erp_carries_on_with_its_decision(
    tmp_path: Path,
) -> None:
    """The second worker read the ledger before the first recorded its decision, then looked in the
    ERP after the first posted: it sees "already in the ERP" -- and must not hold it as a duplicate."""
    first, second, _, erp = two_workers(tmp_path)
    path = invoice(tmp_path, "BS-8")
    result = first.process(path)
    assert result.status == "posted"
    real = second.ledger.records
    calls = {"n": 0}

    def stale_first_read(*args: Any, **kwargs: Any) -> list[LedgerRecord]:
        calls["n"] += 1
        return [] if calls["n"] == 1 else real(*args, **kwargs)

    second.ledger.records = stale_first_read  # type: ignore[method-assign]
    try:
        other = second.process(path)
    finally:
        second.ledger.records = real  # type: ignore[method-assign]
    assert other.status == "posted" and other.document_id == result.document_id
    assert other.resumed
    timeline = real(result.transaction_id)
    assert not [r for r in timeline if r.kind == "escalation"]
    assert len([r for r in timeline if r.kind == "decision"]) == 1
    assert {r.payload["result"]["status"] for r in timeline if r.kind == "note" and r.payload.get("event") == "ap_completed"} == {"posted"}  # fmt: skip
    assert len([i for i in erp.invoices if i.reference == "BS-8"]) == 1
