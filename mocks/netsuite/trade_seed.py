"""Seed the NetSuite mock with a buyer's own trade (`connectors.erp.trade_documents.ErpState`).

Vendors (with the Electronic Bank Payments bank-details record), purchase orders (item sublist,
``line`` numbered 1..n in order) and item receipts (``createdFrom`` the order, ``orderLine`` the
order line) are written as ``GET /record/v1/<type>/<id>?expandSubResources=true`` returns them.
Order ids are kept as the trade spells them (an invoice quoting the buyer's order number finds
its order; NetSuite internal ids are numbers, so the order number must be one), and a trade order
line must be numbered as NetSuite numbers it (1, 2, 3...). A vendor keeps a numeric id; any other
gets the next internal id, with the trade's id as its ``externalId``. `dump_fixtures`
writes ``<type>.json`` files that ``opspack mocks serve --seed netsuite=DIR`` and
`NetSuiteMock.from_fixtures(DIR)` load.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mocks.netsuite.records import BANK, CURRENCIES, RECORD_TYPES, NetSuiteRecords, fail, sublist

if TYPE_CHECKING:
    from connectors.erp.trade_documents import ErpState

_CURRENCY_IDS = {code: key for key, code in CURRENCIES.items()}


def _currency(code: str) -> dict[str, str]:
    if code not in _CURRENCY_IDS:
        raise fail(400, "INVALID_KEY_OR_REF", f"Currency {code} is not enabled in this account.")
    return {"id": _CURRENCY_IDS[code], "refName": code}


def seed_trade(account: NetSuiteRecords, state: ErpState) -> None:
    """Add the trade; a vendor or order whose id exists, or an unnumbered order line, is refused first."""
    clashes = [f"vendor {v.id}" for v in state.vendors if v.id in account.records["vendor"]]
    clashes += [f"order {o.id}" for o in state.purchase_orders if o.id in account.records["purchaseOrder"]]
    clashes += [
        f"order {o.id} (NetSuite ids are numbers)" for o in state.purchase_orders if not o.id.isdigit()
    ]
    clashes += [
        f"order {o.id} line {line.line} (NetSuite numbers lines 1, 2, 3...)"
        for o in state.purchase_orders
        for n, line in enumerate(o.lines, start=1)
        if line.line != str(n)
    ]
    if clashes:
        raise fail(400, "DUP_RCRD", f"{', '.join(clashes)}: nothing loaded")
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    for vendor in state.vendors:
        internal = vendor.id if vendor.id.isdigit() else account.new_record_id()
        ids[vendor.id], names[internal] = internal, vendor.name
        orders = [o for o in state.purchase_orders if o.vendor_id == vendor.id]
        record: dict[str, Any] = {
            "id": internal,
            "externalId": vendor.id,
            "entityId": vendor.name,
            "companyName": vendor.name,
            "isPerson": False,
            "isInactive": vendor.blocked,
            "subsidiary": {"id": "1", "refName": "Parent Company"},
            "currency": _currency(orders[0].currency if orders else "EUR"),
            "addressBook": sublist(
                [
                    {
                        "links": [],
                        "defaultBilling": True,
                        "addressBookAddress": {"country": {"id": vendor.country}},
                    }
                ]
            ),
        }
        if vendor.tax_id:
            record["taxIdNum" if vendor.country == "US" else "vatRegNumber"] = vendor.tax_id
        account.records["vendor"][internal] = record
        for account_on_file in vendor.bank_accounts:
            bank_id = account.new_record_id()
            account.records[BANK][bank_id] = {
                "id": bank_id,
                "name": f"{vendor.name} primary",
                "custrecord_2663_parent_vendor": {"id": internal, "refName": vendor.name},
                "custrecord_2663_entity_bank_type": {"id": "1", "refName": "Primary"},
                "custrecord_2663_entity_iban": account_on_file.iban or "",
                "custrecord_2663_entity_acct_no": account_on_file.account_number or "",
                "custrecord_2663_entity_swift": account_on_file.bank_code or "",
                "custrecord_2663_entity_country_code": account_on_file.country or "",
                "custrecord_2663_entity_acct_name": account_on_file.holder or "",
            }
    received: dict[tuple[str, str], float] = defaultdict(float)
    for receipt in state.goods_receipts:
        received[(receipt.po_id, receipt.po_line)] += float(receipt.quantity)
    for order in state.purchase_orders:
        vendor_id = ids.get(order.vendor_id, order.vendor_id)
        vendor_name = names.get(vendor_id) or account._vendor({"id": vendor_id})["companyName"]
        account.records["purchaseOrder"][order.id] = {
            "id": order.id,
            "tranId": order.id,
            "entity": {"id": vendor_id, "refName": vendor_name},
            "tranDate": (order.order_date or date(2024, 1, 1)).isoformat(),
            "currency": _currency(order.currency),
            "subsidiary": {"id": "1", "refName": "Parent Company"},
            "item": sublist(
                [
                    {
                        "links": [],
                        "line": n,
                        "description": line.description,
                        "quantity": float(line.quantity),
                        "units": {"id": line.unit, "refName": line.unit},
                        "rate": float(line.unit_price),
                        "amount": float(line.quantity * line.unit_price),
                        "expectedReceiptDate": (
                            line.delivery_date or order.order_date or date(2024, 1, 1)
                        ).isoformat(),
                        "quantityReceived": received[(order.id, line.line)],
                        "quantityBilled": 0.0,
                        "isClosed": order.status.value == "closed",
                        "custcol_opspack_spend_category": None,
                    }
                    for n, line in enumerate(order.lines, start=1)
                ]
            ),
        }
    documents: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for receipt in state.goods_receipts:
        documents[(receipt.po_id, receipt.receipt_date)].append(receipt)
    for (po_id, day), receipts in sorted(documents.items()):
        receipt_id = account.new_record_id()
        account.records["itemReceipt"][receipt_id] = {
            "id": receipt_id,
            "tranId": f"IR{receipt_id}",
            "tranDate": day.isoformat(),
            "createdFrom": {"id": po_id},
            "entity": dict(account.records["purchaseOrder"][po_id]["entity"]),
            "item": sublist(
                [
                    {
                        "links": [],
                        "line": n,
                        "orderLine": int(r.po_line),
                        "itemReceive": True,
                        "quantity": float(r.quantity),
                        "units": {"id": r.unit, "refName": r.unit},
                    }
                    for n, r in enumerate(receipts, start=1)
                ]
            ),
        }


def dump_fixtures(account: NetSuiteRecords, root: Path) -> int:
    """Write every record type as ``<root>/<type>.json``; returns the number of records written."""
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    for record_type in RECORD_TYPES:
        items = list(account.records[record_type].values())
        (root / f"{record_type}.json").write_text(
            json.dumps({"items": items}, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        written += len(items)
    return written
