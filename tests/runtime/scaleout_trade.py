"""A bigger trade for the scale-out must-show runs: the served SAP mock's own received quantities
carry about 700 synthetic invoices, the chaos runs want 1,000."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from connectors.erp.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from connectors.erp.trade_documents import ErpState
from mocks.trade_loading import write_sap_fixtures
from opspack.wiring import mock_erp


def write_bench_trade(folder: Path, orders: int) -> Path:
    """The SAP mock's fixtures plus `orders` more open, fully received EUR purchase orders (three
    lines each) of its own clean vendors, written to `folder` for ``mocks serve --seed sap_s4hana=``.

    The default fixtures' received quantities carry about 700 synthetic invoices; 100 such orders
    carry about 1,000 more. The default fixtures stay as they are (other tests rely on them)."""
    erp = mock_erp("sap")
    vendors = {}
    for order in erp.list_purchase_orders(status=PurchaseOrderStatus.OPEN):
        if order.currency == "EUR" and order.vendor_id not in vendors:
            vendors[order.vendor_id] = erp.get_vendor(order.vendor_id)
    clean = sorted(v.id for v in vendors.values() if not v.blocked and v.tax_id and v.bank_accounts)
    state = ErpState()
    for n in range(orders):
        po_id, day = str(4500090001 + n), date(2021, 6, 1) + timedelta(days=n % 180)
        lines = tuple(
            PurchaseOrderLine(
                line=str(10 * (k + 1)),
                description=f"Bench supply {n}-{k}",
                quantity=Decimal(15),
                unit="EA",
                unit_price=Decimal(20 + (n * 3 + k * 61) % 270) + Decimal("0.45"),
            )
            for k in range(3)
        )
        state.purchase_orders.append(
            PurchaseOrder(
                id=po_id,
                vendor_id=clean[n % len(clean)],
                currency="EUR",
                status=PurchaseOrderStatus.OPEN,
                order_date=day,
                lines=lines,
            )
        )
        state.goods_receipts += [
            GoodsReceipt(
                id=f"{po_id}-{line.line}",
                po_id=po_id,
                po_line=line.line,
                quantity=line.quantity,
                unit="EA",
                receipt_date=day + timedelta(days=7),
            )
            for line in lines
        ]
    write_sap_fixtures(folder, state)
    return folder
