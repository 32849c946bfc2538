"""Vendor credits and the vendor bill's approval status in the NetSuite mock.

A supplier's credit note is a ``vendorCredit`` record: created on its own (``POST
/record/v1/vendorCredit``) or from the bill it credits (``POST
/record/v1/vendorBill/{id}/!transform/vendorCredit``, which sets ``createdFrom``). It takes the
bill's rules: an active vendor, a unique ``externalId``, a known currency; it is never paid.
``approvalStatus`` follows NetSuite's list: 1 Pending Approval, 2 Approved, 3 Rejected; a bill
pending approval cannot be paid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mocks.netsuite.records import CURRENCIES, NetSuiteRecords, fail, ref_id, sublist

APPROVAL = {"1": "Pending Approval", "2": "Approved", "3": "Rejected"}


def approval_status(raw: Any) -> dict[str, str]:
    """``{"id": .., "refName": ..}`` for a posted ``approvalStatus`` (default Approved)."""
    status = ref_id(raw) if raw is not None else "2"
    if status not in APPROVAL:
        raise fail(400, "INVALID_FLD_VALUE", f"Invalid approvalStatus reference key {status}.")
    return {"id": status, "refName": APPROVAL[status]}


def create_vendor_credit(account: NetSuiteRecords, body: dict[str, Any], bill: dict[str, Any] | None) -> str:
    vendor = account._vendor(body.get("entity") or (bill or {}).get("entity"))
    if bill is not None and ref_id(body.get("entity") or bill["entity"]) != ref_id(bill["entity"]):
        raise fail(400, "USER_ERROR", f"Bill {bill['tranId']} belongs to another vendor.")
    if vendor.get("isInactive"):
        raise fail(400, "USER_ERROR", f"Vendor {vendor['companyName']} is inactive.")
    if not (body.get("tranDate") or (bill or {}).get("tranDate")):
        raise fail(400, "USER_ERROR", "Please enter value(s) for: Date")
    account._unique_external_id("vendorCredit", body.get("externalId"))
    currency = ref_id(body.get("currency")) or ref_id((bill or vendor).get("currency"))
    if currency not in CURRENCIES:
        raise fail(400, "INVALID_KEY_OR_REF", f"Invalid currency reference key {currency}.")
    items = [
        {
            "links": [],
            "line": index,
            "description": line.get("description", ""),
            "quantity": line.get("quantity"),
            "rate": line.get("rate"),
            "amount": line.get("amount"),
        }
        for index, line in enumerate(body.get("item", {}).get("items", []), start=1)
    ]
    tax = Decimal(str(body.get("taxTotal", 0)))
    total = body.get("userTotal")
    if total is None:
        total = sum((Decimal(str(i["amount"] or 0)) for i in items), Decimal("0")) + tax
    credit_id = account.new_record_id()
    account.records["vendorCredit"][credit_id] = {
        "id": credit_id,
        "externalId": body.get("externalId"),
        "tranId": body.get("tranId", ""),
        "entity": {"id": vendor["id"], "refName": vendor["companyName"]},
        "tranDate": body.get("tranDate") or (bill or {}).get("tranDate"),
        "currency": {"id": currency, "refName": CURRENCIES[currency]},
        "createdFrom": {"id": bill["id"], "refName": f"Bill #{bill['tranId']}"} if bill else None,
        "memo": body.get("memo", ""),
        "taxTotal": float(tax),
        "total": float(total),
        "status": {"id": "A", "refName": "Open"},
        "item": sublist(items),
    }
    account.notes.add(credit_id, "Create")
    return credit_id
