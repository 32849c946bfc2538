"""A synthetic AP inbox: invoice files drawn from an ERP's own open, received purchase orders.

For load tests, restart tests and demos against any `PayablesERP` (the SAP or NetSuite mock,
the fake): it reads vendors, open POs and receipts through the Protocol -- so PO numbers and
vendor tax ids are the ERP's own -- and writes JSON inbox files, each with the outcome it was
built to produce. Most invoices are clean one-unit partial bills (so many fit on the received
quantities); a seeded share carries one defect each.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.erp.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Vendor
from connectors.erp.protocol import PayablesERP

_CENT = Decimal("0.01")
DEFECTS = ("price_variance", "bank_change", "unknown_vendor", "duplicate", "math_error")


@dataclass(frozen=True)
class InboxItem:
    file: str
    reference: str
    vendor_id: str
    expected: str
    """``post`` or the reason code the invoice was built to trigger."""


@dataclass
class _Slot:
    order: PurchaseOrder
    line: PurchaseOrderLine
    vendor: Vendor
    remaining: Decimal


def _slots(erp: PayablesERP, *, currency: str, max_unit_price: Decimal) -> list[_Slot]:
    vendors: dict[str, Vendor] = {}
    slots = []
    for order in erp.list_purchase_orders(status=PurchaseOrderStatus.OPEN):
        if order.currency != currency:
            continue
        vendor = vendors.get(order.vendor_id) or erp.get_vendor(order.vendor_id)
        vendors[vendor.id] = vendor
        if vendor.blocked or not vendor.tax_id or not vendor.bank_accounts:
            continue
        received: dict[str, Decimal] = {}
        for receipt in erp.list_goods_receipts(order.id):
            received[receipt.po_line] = received.get(receipt.po_line, Decimal(0)) + receipt.quantity
        for line in order.lines:
            if received.get(line.line, Decimal(0)) >= 1 and line.unit_price <= max_unit_price:
                slots.append(_Slot(order, line, vendor, min(received[line.line], line.quantity)))
    return slots


def write_inbox(
    erp: PayablesERP,
    folder: Path,
    count: int,
    *,
    seed: int = 7,
    defect_rate: float = 0.2,
    currency: str = "EUR",
    max_unit_price: Decimal = Decimal(300),
) -> list[InboxItem]:
    """Write `count` invoice files into `folder` (``0001-<ref>.json`` ...) and return the manifest.

    Raises ValueError when the ERP's received quantities cannot carry `count` invoices.
    """
    rng = random.Random(seed)
    slots = _slots(erp, currency=currency, max_unit_price=max_unit_price)
    if not slots:
        raise ValueError(f"no open, received {currency} PO lines to invoice")
    folder.mkdir(parents=True, exist_ok=True)
    items: list[InboxItem] = []
    written: list[dict[str, Any]] = []
    amounts_seen: dict[tuple[str, str], int] = {}
    for number in range(1, count + 1):
        kind = rng.choice(DEFECTS) if rng.random() < defect_rate else "post"
        if kind == "duplicate" and not written:
            kind = "post"
        if kind == "duplicate":
            source = rng.choice(written)
            source["_copies"] = int(source.get("_copies", 0)) + 1
            original = dict(source)  # a second copy of a sent invoice, a day later per copy
            sent = date.fromisoformat(original["invoice_date"])
            original["invoice_date"] = (sent + timedelta(days=original["_copies"])).isoformat()
            document, vendor_id = original, str(original["_vendor_id"])
        else:
            slot, quantity = _pick_slot(rng, slots, amounts_seen, number)
            if slot is None:
                raise ValueError(f"received quantities carry only {number - 1} invoices, {count} wanted")
            if kind not in ("unknown_vendor", "math_error"):
                slot.remaining -= quantity
            document, vendor_id = _invoice(slot, quantity, number, kind), slot.vendor.id
            amounts_seen[(vendor_id, str(document["total"]))] = number
        reference = str(document["invoice_number"])
        name = f"{number:04d}-{reference}.json"
        body = {key: value for key, value in document.items() if not key.startswith("_")}
        (folder / name).write_text(json.dumps(body, indent=1, ensure_ascii=False), encoding="utf-8")
        if kind == "post":
            written.append(document)
        items.append(InboxItem(name, reference, vendor_id, kind))
    return items


def _issued(number: int) -> date:
    return date(2022, 1, 1) + timedelta(days=3 * number)


def _pick_slot(
    rng: random.Random, slots: list[_Slot], amounts_seen: dict[tuple[str, str], int], number: int
) -> tuple[_Slot | None, Decimal]:
    """A slot and quantity whose amount the vendor has not billed for over a year: the same
    amount again (with a similar number, or within weeks) is what the duplicate control flags."""
    open_slots = [slot for slot in slots if slot.remaining >= 1]
    for _ in range(200):
        if not open_slots:
            break
        slot = rng.choice(open_slots)
        quantity = Decimal(rng.randint(1, min(int(slot.remaining), 5)))
        gross = _gross(slot.line.unit_price * quantity)
        last = amounts_seen.get((slot.vendor.id, str(gross)))
        if last is None or _issued(number) - _issued(last) > timedelta(days=400):
            return slot, quantity
    return None, Decimal(0)


def _gross(net: Decimal) -> Decimal:
    net = net.quantize(_CENT)
    return net + (net * Decimal("0.19")).quantize(_CENT)


def _invoice(slot: _Slot, quantity: Decimal, number: int, kind: str) -> dict[str, Any]:
    line, vendor = slot.line, slot.vendor
    bump = Decimal("1.12") if kind == "price_variance" else Decimal(1)
    price = (line.unit_price * bump).quantize(_CENT)
    amount = (price * quantity).quantize(_CENT)
    tax = (amount * Decimal("0.19")).quantize(_CENT)
    issued = _issued(number)
    document: dict[str, Any] = {
        "vendor_name": vendor.name,
        "vendor_tax_id": vendor.tax_id,
        "invoice_number": f"SYN-{number:05d}",
        "po_number": slot.order.id,
        "currency": slot.order.currency,
        "iban": vendor.bank_accounts[0].iban,
        "invoice_date": issued.isoformat(),
        "due_date": (issued + timedelta(days=30)).isoformat(),
        "subtotal": str(amount),
        "tax": str(tax),
        "total": str(amount + tax),
        "lines": [
            {
                "description": line.description,
                "quantity": str(quantity),
                "unit": line.unit,
                "unit_price": str(price),
                "amount": str(amount),
                "po_line": line.line,
            }
        ],
        "_vendor_id": vendor.id,
    }
    if kind == "bank_change":
        document["iban"] = (
            "DE75512108001245126199"
            if vendor.bank_accounts[0].iban != "DE75512108001245126199"
            else "DE02120300000000202051"
        )
    elif kind == "unknown_vendor":
        document.update(vendor_name=f"Phantom Trading {number} Ltd", vendor_tax_id=None, iban=None)
    elif kind == "math_error":
        document["total"] = str(amount + tax + Decimal("7.00"))
    return document
