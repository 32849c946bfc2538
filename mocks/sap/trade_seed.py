"""Seed the SAP mock with a buyer's own trade (`connectors.erp.trade_documents.ErpState`).

`seed_trade` writes vendors (business partner, supplier, address, bank details), purchase orders
(header, items, schedule lines) and goods receipts (material documents, movement type 101) into a
mock's tables as S/4's released APIs would return them; ids are kept as the trade spells them, so
an invoice quoting the buyer's order number finds its order. `dump_fixtures` writes the tables as
a fixtures folder (``<SERVICE>/<EntitySet>.json``, verbose v2 collections), which ``opspack mocks
serve --seed sap_s4hana=DIR`` serves and `SapMock.from_fixtures(DIR)` loads in process.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mocks.base import MockHttpError
from mocks.sap.store import SapTables, decode_row, encode_entity

if TYPE_CHECKING:
    from connectors.erp.trade_documents import ErpState


def _insert(tables: SapTables, set_name: str, raw: dict[str, Any]) -> None:
    spec = tables.service_of[set_name].sets[set_name]
    row = decode_row(spec, raw)
    if tables.key_of(set_name, row) in tables.tables[set_name]:
        raise MockHttpError(409, f"{set_name} {tables.key_of(set_name, row)} exists already", code="SEED/001")
    tables.insert(set_name, row)


def _day(value: date | None) -> str:
    return (value or date(2024, 1, 1)).isoformat() + "T00:00:00"


def seed_trade(tables: SapTables, state: ErpState) -> None:
    """Add the trade's vendors, orders and receipts; a vendor or order that exists already is refused
    before anything is written (loading the same trade twice adds nothing)."""
    clashes = [f"vendor {v.id}" for v in state.vendors if (v.id,) in tables.tables["A_BusinessPartner"]]
    clashes += [f"order {o.id}" for o in state.purchase_orders if (o.id,) in tables.tables["A_PurchaseOrder"]]
    if clashes:
        raise MockHttpError(409, f"{', '.join(clashes)} exists already; nothing loaded", code="SEED/001")
    for vendor in state.vendors:
        _insert(
            tables,
            "A_BusinessPartner",
            {
                "BusinessPartner": vendor.id,
                "BusinessPartnerFullName": vendor.name,
                "BusinessPartnerCategory": "2",
                "OrganizationBPName1": vendor.name[:40],
                "Supplier": vendor.id,
                "Customer": "",
            },
        )
        _insert(
            tables,
            "A_Supplier",
            {
                "Supplier": vendor.id,
                "SupplierName": vendor.name[:35],
                "SupplierFullName": vendor.name,
                "VATRegistration": vendor.tax_id or "",
                "PostingIsBlocked": vendor.blocked,
                "PaymentIsBlockedForSupplier": vendor.blocked,
                "PurchasingIsBlocked": vendor.blocked,
            },
        )
        _insert(
            tables,
            "A_BusinessPartnerAddress",
            {"BusinessPartner": vendor.id, "AddressID": "1", "Country": vendor.country or ""},
        )
        for n, account in enumerate(vendor.bank_accounts, start=1):
            _insert(
                tables,
                "A_BusinessPartnerBank",
                {
                    "BusinessPartner": vendor.id,
                    "BankIdentification": f"{n:04d}",
                    "BankCountryKey": account.country or "",
                    "BankNumber": account.bank_code or "",
                    "BankAccount": account.account_number or "",
                    "IBAN": account.iban or "",
                    "BankAccountHolderName": account.holder or "",
                },
            )
    for order in state.purchase_orders:
        closed = order.status.value == "closed"
        _insert(
            tables,
            "A_PurchaseOrder",
            {
                "PurchaseOrder": order.id,
                "CompanyCode": order.company or "1010",
                "PurchaseOrderType": "NB",
                "Supplier": order.vendor_id,
                "PurchasingOrganization": "1010",
                "PurchasingGroup": "001",
                "DocumentCurrency": order.currency,
                "PurchaseOrderDate": _day(order.order_date),
                "CreationDate": _day(order.order_date),
                "PurchasingProcessingStatus": "05",
            },
        )
        for line in order.lines:
            _insert(
                tables,
                "A_PurchaseOrderItem",
                {
                    "PurchaseOrder": order.id,
                    "PurchaseOrderItem": line.line,
                    "PurchaseOrderItemText": line.description[:40],
                    "Material": line.item or "",
                    "Plant": "1010",
                    "OrderQuantity": str(line.quantity),
                    "PurchaseOrderQuantityUnit": line.unit,
                    "NetPriceAmount": str(line.unit_price),
                    "NetPriceQuantity": "1",
                    "DocumentCurrency": order.currency,
                    "IsCompletelyDelivered": closed,
                    "IsFinallyInvoiced": closed,
                },
            )
            _insert(
                tables,
                "A_PurchaseOrderScheduleLine",
                {
                    "PurchasingDocument": order.id,
                    "PurchasingDocumentItem": line.line,
                    "ScheduleLine": "1",
                    "ScheduleLineDeliveryDate": _day(line.delivery_date or order.order_date),
                    "ScheduleLineOrderQuantity": str(line.quantity),
                    "PurchaseOrderQuantityUnit": line.unit,
                },
            )
    documents: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for receipt in state.goods_receipts:
        documents[(receipt.po_id, receipt.receipt_date)].append(receipt)
    next_document = 5100000000 + len(tables.rows("A_MaterialDocumentHeader"))
    for n, ((_, day), receipts) in enumerate(sorted(documents.items()), start=1):
        keys = {"MaterialDocumentYear": str(day.year), "MaterialDocument": str(next_document + n)}
        _insert(
            tables,
            "A_MaterialDocumentHeader",
            {**keys, "DocumentDate": _day(day), "PostingDate": _day(day), "GoodsMovementCode": "01"},
        )
        for item, receipt in enumerate(receipts, start=1):
            _insert(
                tables,
                "A_MaterialDocumentItem",
                {
                    **keys,
                    "MaterialDocumentItem": str(item),
                    "GoodsMovementType": "101",
                    "PurchaseOrder": receipt.po_id,
                    "PurchaseOrderItem": receipt.po_line,
                    "Plant": "1010",
                    "QuantityInEntryUnit": str(receipt.quantity),
                    "EntryUnit": receipt.unit,
                },
            )


def seed_request(tables: SapTables, body: Any) -> dict[str, int]:
    """``POST /sap/opu/odata/_opspack/trade`` (mock only): add a trade (`ErpState` JSON) to the running
    mock -- `opspack erp load --into URL` sends it, with the Basic user and CSRF token of any write."""
    from connectors.erp.trade_documents import ErpState

    try:
        state = ErpState.model_validate(body)
    except ValueError as exc:
        raise MockHttpError(400, f"not a trade: {exc}"[:500], code="SEED/002") from None
    seed_trade(tables, state)
    return {
        "vendors": len(state.vendors),
        "purchase_orders": len(state.purchase_orders),
        "goods_receipts": len(state.goods_receipts),
    }


def dump_fixtures(tables: SapTables, root: Path, base: str = "https://sap.mock") -> int:
    """Write every non-empty entity set under `root`; returns the number of rows written."""
    written = 0
    for set_name, rows in tables.tables.items():
        if not rows:
            continue
        service = tables.service_of[set_name].name.split(";")[0]
        folder = root / service
        folder.mkdir(parents=True, exist_ok=True)
        results = [encode_entity(tables, base, set_name, row, {}) for row in rows.values()]
        (folder / f"{set_name}.json").write_text(
            json.dumps({"d": {"results": results}}, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        written += len(results)
    return written
