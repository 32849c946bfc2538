"""Record store behind the NetSuite mock, and the SuiteQL tables derived from it.

Records are kept as the JSON bodies of ``GET /record/v1/<type>/<id>?expandSubResources=true``
(seeded from ``fixtures/netsuite/<type>.json``). SuiteQL tables (`vendor`, `customer`, `transaction`,
`transactionline`, `nexttransactionlink`, `currency`, the Electronic Bank Payments custom record,
SuiteBilling's `subscription` and `subscriptionchangeorder`)
are derived from them on demand, so a REST write is visible to the next query. Writes and their
business rules live in `mocks.netsuite.writes`.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from connectors.fixture_files import fixture_path
from mocks.base import MockHttpError
from mocks.netsuite.system_notes import SystemNotes

FIXTURES = fixture_path("netsuite")
RECORD_TYPES = (
    "vendor",
    "purchaseOrder",
    "itemReceipt",
    "vendorBill",
    "vendorPayment",
    "vendorCredit",
    "customrecord_2663_entity_bank_details",
    "customer",
    "salesOrder",
    "itemFulfillment",
    "creditMemo",
    "invoice",
    "subscription",
    "subscriptionChangeOrder",
)
CURRENCIES = {"1": "USD", "2": "GBP", "4": "EUR"}
BANK = "customrecord_2663_entity_bank_details"
_TYPE_CODES = {
    "purchaseOrder": "PurchOrd",
    "itemReceipt": "ItemRcpt",
    "vendorBill": "VendBill",
    "vendorPayment": "VendPymt",
    "vendorCredit": "VendCred",
    "salesOrder": "SalesOrd",
    "itemFulfillment": "ItemShip",
    "creditMemo": "CustCred",
    "invoice": "CustInvc",
}


def fail(status: int, code: str, detail: str) -> MockHttpError:
    """A NetSuite error answer: HTTP status, ``o:errorCode`` and ``detail``."""
    return MockHttpError(status, detail, code=code)


def ref_id(value: Any) -> str:
    return str(value.get("id")) if isinstance(value, dict) and value.get("id") is not None else ""


def _tf(value: Any) -> str:
    return "T" if value else "F"


def _ns_date(iso: str | None) -> str | None:
    """SuiteQL formats dates with the user's preference; the mock's user has M/D/YYYY."""
    if not iso:
        return None
    year, month, day = iso.split("-")
    return f"{int(month)}/{int(day)}/{year}"


def _num(value: Any) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def sublist(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "links": [],
        "items": items,
        "totalResults": len(items),
        "count": len(items),
        "hasMore": False,
        "offset": 0,
    }


@lru_cache(maxsize=4)
def _read_fixture_files(root: str) -> dict[str, list[dict[str, Any]]]:
    return {
        t: json.loads((Path(root) / f"{t}.json").read_text(encoding="utf-8"))["items"] for t in RECORD_TYPES
    }


class NetSuiteRecords:
    """All records of the mock account, keyed ``records[type][id]``."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in RECORD_TYPES}
        self.next_id = 10000
        self.notes = SystemNotes()

    def load(self, root: Path = FIXTURES) -> None:
        for record_type, items in _read_fixture_files(str(root)).items():
            for record in copy.deepcopy(items):
                self.records[record_type][str(record["id"])] = record
                self.next_id = max(self.next_id, int(record["id"]) + 1)

    def get(self, record_type: str, record_id: str) -> dict[str, Any]:
        if record_type not in self.records:
            raise fail(404, "INVALID_RCRD_TYPE", f"Record type '{record_type}' does not exist.")
        record = self.records[record_type].get(record_id)
        if record is None:
            raise fail(
                404,
                "NONEXISTENT_ID",
                "The record instance does not exist. Provide a valid record instance ID.",
            )
        return record

    def _new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def new_record_id(self) -> str:
        """The next internal id (ids are unique across record types, as in an account)."""
        return self._new_id()

    def _vendor(self, ref: Any, field: str = "entity") -> dict[str, Any]:
        vendor = self.records["vendor"].get(ref_id(ref))
        if vendor is None:
            raise fail(400, "INVALID_KEY_OR_REF", f"Invalid {field} reference key {ref_id(ref) or '(none)'}.")
        return vendor

    def _unique_external_id(self, record_type: str, external_id: Any) -> None:
        if external_id and any(
            r.get("externalId") == external_id for r in self.records[record_type].values()
        ):
            raise fail(
                400, "DUP_RCRD", f"A {record_type} record with external ID {external_id} already exists."
            )

    # -- SuiteQL tables ---------------------------------------------------------------------------
    def table(self, name: str) -> list[dict[str, Any]] | None:
        """One SuiteQL table (lower-case name), built from the current records; None if unknown."""
        builder = {
            "vendor": self._vendor_rows,
            "customer": self._customer_rows,
            "transaction": self._transaction_rows,
            "transactionline": self._line_rows,
            "nexttransactionlink": self._link_rows,
            "systemnote": lambda: [dict(row) for row in self.notes.rows],
            BANK: self._bank_rows,
            "subscription": self._subscription_rows,
            "subscriptionchangeorder": self._change_order_rows,
            "currency": lambda: [{"id": k, "symbol": v, "name": v} for k, v in CURRENCIES.items()],
        }.get(name)
        return builder() if builder is not None else None

    def _transactions(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (code, r) for record_type, code in _TYPE_CODES.items() for r in self.records[record_type].values()
        ]

    def _vendor_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": v["id"],
                "entityid": v.get("entityId"),
                "companyname": v.get("companyName"),
                "isinactive": _tf(v.get("isInactive")),
                "vatregnumber": v.get("vatRegNumber"),
                "taxidnum": v.get("taxIdNum"),
                "currency": ref_id(v.get("currency")) or None,
            }
            for v in self.records["vendor"].values()
        ]

    def _customer_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": c["id"],
                "entityid": c.get("entityId"),
                "companyname": c.get("companyName"),
                "isinactive": _tf(c.get("isInactive")),
            }
            for c in self.records["customer"].values()
        ]

    def _transaction_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": record["id"],
                "tranid": record.get("tranId"),
                "type": code,
                "entity": ref_id(record.get("entity")) or None,
                "trandate": _ns_date(record.get("tranDate")),
                "currency": ref_id(record.get("currency")) or None,
                "createdfrom": ref_id(record.get("createdFrom")) or None,
                "foreigntotal": _num(record.get("total")),
                "paymenthold": _tf(record.get("paymentHold")),
                "approvalstatus": ref_id(record.get("approvalStatus")) or None,
                "memo": record.get("memo"),
                "externalid": record.get("externalId"),
            }
            for code, record in self._transactions()
        ]

    def _line_rows(self) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for _code, record in self._transactions():
            lines.append(
                {
                    "id": "0",
                    "transaction": record["id"],
                    "linesequencenumber": "0",
                    "mainline": "T",
                    "memo": record.get("memo"),
                    "quantity": None,
                    "rate": None,
                    "netamount": None,
                    "item": None,
                    "isclosed": "F",
                    "custcol_opspack_spend_category": None,
                }
            )
            lines.extend(
                {
                    "id": str(item["line"]),
                    "transaction": record["id"],
                    "linesequencenumber": str(item["line"]),
                    "mainline": "F",
                    "memo": item.get("description"),
                    "quantity": _num(item.get("quantity")),
                    "rate": _num(item.get("rate")),
                    "netamount": _num(item.get("amount")),
                    "item": ref_id(item.get("item")) or None,
                    "isclosed": _tf(item.get("isClosed")),
                    "custcol_opspack_spend_category": item.get("custcol_opspack_spend_category"),
                }
                for item in record.get("item", {}).get("items", [])
            )
        return lines

    def _link_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "previousdoc": ref_id(applied.get("doc")),
                "nextdoc": record["id"],
                "linktype": "Payment",
                "previoustype": "VendBill",
                "nexttype": code,
            }
            for code, record in self._transactions()
            for applied in record.get("apply", {}).get("items", [])
        ]

    def _subscription_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r["id"],
                "name": r.get("name"),
                "customer": ref_id(r.get("customer")) or None,
                "startdate": _ns_date(r.get("startDate")),
                "enddate": _ns_date(r.get("endDate")),
                "status": ref_id(r.get("status")) or None,
            }
            for r in self.records["subscription"].values()
        ]

    def _change_order_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r["id"],
                "subscription": ref_id(r.get("subscription")) or None,
                "action": ref_id(r.get("action")) or None,
                "effectivedate": _ns_date(r.get("effectiveDate")),
                "memo": r.get("memo"),
            }
            for r in self.records["subscriptionChangeOrder"].values()
        ]

    def _bank_rows(self) -> list[dict[str, Any]]:
        return [
            {
                **{k.lower(): v for k, v in b.items() if k != "links" and not isinstance(v, dict)},
                "custrecord_2663_parent_vendor": ref_id(b.get("custrecord_2663_parent_vendor")),
                "custrecord_2663_entity_bank_type": ref_id(b.get("custrecord_2663_entity_bank_type")),
            }
            for b in self.records[BANK].values()
        ]
