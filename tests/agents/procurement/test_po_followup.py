"""PO follow-up flags late, unreceived lines, drafts the request, and proposes a governed status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from agents.performers.erp import ERPPerformer
from agents.procurement.po_followup import find_overdue, follow_up
from connectors.erp.fake import FakeERP
from connectors.erp.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Vendor
from governance.ledger import Ledger
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store

from .conftest import FIXTURES

TODAY = date(2024, 9, 1)


def line(number: str, due: date, quantity: int = 10) -> PurchaseOrderLine:
    return PurchaseOrderLine(
        line=number,
        description=f"item {number}",
        quantity=Decimal(quantity),
        unit="EA",
        unit_price=Decimal(5),
        delivery_date=due,
    )


@pytest.fixture
def erp() -> FakeERP:
    fake = FakeERP()
    fake.add_vendor(Vendor(id="V1", name="Nordwind Elektro GmbH", country="DE"))
    orders = {
        "PO-LATE": (line("10", date(2024, 8, 1)), line("20", date(2024, 10, 1))),
        "PO-PART": (line("10", date(2024, 8, 20)),),
        "PO-DONE": (line("10", date(2024, 8, 1)),),
        "PO-STALE": (line("10", date(2024, 3, 1)),),
        "PO-FUTURE": (line("10", date(2024, 12, 1)),),
    }
    for po_id, lines in orders.items():
        fake.add_purchase_order(
            PurchaseOrder(
                id=po_id, vendor_id="V1", currency="EUR", status=PurchaseOrderStatus.OPEN, lines=lines
            )
        )
    fake.add_purchase_order(
        PurchaseOrder(
            id="PO-CLOSED",
            vendor_id="V1",
            currency="EUR",
            status=PurchaseOrderStatus.CLOSED,
            lines=(line("10", date(2024, 1, 1)),),
        )
    )
    receipt = {"unit": "EA", "receipt_date": date(2024, 8, 25), "po_line": "10"}
    fake.add_goods_receipt(GoodsReceipt(id="GR1", po_id="PO-PART", quantity=Decimal(4), **receipt))
    fake.add_goods_receipt(GoodsReceipt(id="GR2", po_id="PO-DONE", quantity=Decimal(10), **receipt))
    return fake


def test_only_open_late_unreceived_lines_are_flagged(erp: FakeERP) -> None:
    overdue = {o.po_id: o for o in find_overdue(erp, TODAY)}
    assert sorted(overdue) == ["PO-LATE", "PO-PART", "PO-STALE"]
    assert [late.line for late in overdue["PO-LATE"].lines] == ["10"]  # line 20 is not due yet
    assert overdue["PO-PART"].lines[0].received == Decimal(4) and not overdue["PO-PART"].nothing_received
    assert overdue["PO-LATE"].days_late == 31 and overdue["PO-LATE"].vendor_name == "Nordwind Elektro GmbH"


def test_status_update_is_governed_and_shadowed(erp: FakeERP, sqlite_url: str) -> None:
    governor = Governor(load_policy(FIXTURES / "policy.yaml"), Store(sqlite_url), {"sap": ERPPerformer(erp)})
    results = {r.order.po_id: r for r in follow_up(erp, TODAY, governor=governor, close_after_days=90)}
    assert results["PO-STALE"].action.params["status"] == "closed"  # 184 days, nothing received
    assert results["PO-LATE"].action.params["status"] == "open"
    assert results["PO-PART"].action.params["follow_up"] == "status_requested"
    assert {r.outcome.status for r in results.values() if r.outcome} == {"shadowed"}
    assert erp.get_purchase_order("PO-STALE").status is PurchaseOrderStatus.OPEN  # shadow: nothing written
    request = results["PO-PART"].request
    assert "purchase order PO-PART" in request and "ordered 10 EA, received 4" in request
    records = Ledger(governor.store).records(transaction_id="po-follow-up-PO-PART-2024-09-01")
    decision = next(r for r in records if r.kind == "decision")
    assert decision.payload["status_request"] == request


def test_executes_when_policy_allows(erp: FakeERP, sqlite_url: str, tmp_path: Path) -> None:
    text = (FIXTURES / "policy.yaml").read_text(encoding="utf-8")
    assert "erp.update_po_status: shadow" in text
    path = tmp_path / "policy.yaml"
    path.write_text(
        text.replace("erp.update_po_status: shadow", "erp.update_po_status: hootl"), encoding="utf-8"
    )
    governor = Governor(load_policy(path), Store(sqlite_url), {"sap": ERPPerformer(erp)})
    results = {r.order.po_id: r for r in follow_up(erp, TODAY, governor=governor)}
    assert results["PO-STALE"].outcome is not None and results["PO-STALE"].outcome.status == "executed"
    assert erp.get_purchase_order("PO-STALE").status is PurchaseOrderStatus.CLOSED
    assert erp.get_purchase_order("PO-LATE").status is PurchaseOrderStatus.OPEN
