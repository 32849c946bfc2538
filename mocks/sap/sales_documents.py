"""Credit memo requests in the SAP mock, under the rules API_CREDIT_MEMO_REQUEST_SRV applies.

The sold-to party must be a business partner with a customer role; the customer reference
(``PurchaseOrderByCustomer``, VBKD-BSTKD) is CHAR 35, the item text CHAR 40, a reference document
number (VBELN) CHAR 10. Like S/4, the mock does not refuse a repeated customer reference on a
credit memo request (that check is a warning at most): exactly-once is the client's job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mocks.base import MockHttpError
from mocks.sap.documents import nav_rows
from mocks.sap.store import Row, SapTables, decode_row

_LIMITS = {"PurchaseOrderByCustomer": 35, "ReferenceSDDocument": 10, "CreditMemoRequestItemText": 40}
_FIRST_NUMBER = 60000001


def _reject(message: str, code: str) -> MockHttpError:
    return MockHttpError(400, message, code=code)


def _check_lengths(row: Row) -> None:
    for name, limit in _LIMITS.items():
        if len(str(row.get(name) or "")) > limit:
            raise _reject(f"Value of {name} is longer than {limit} characters", "V1/324")


def create_credit_memo_request(tables: SapTables, body: dict[str, Any]) -> Row:
    service = tables.service_of["A_CreditMemoRequest"]
    header = decode_row(service.sets["A_CreditMemoRequest"], body)
    for required in ("SoldToParty", "TransactionCurrency"):
        if not header.get(required):
            raise _reject(f"Enter a value for field {required}", "V1/320")
    customer = next(
        (p for p in tables.rows("A_BusinessPartner") if p.get("Customer") == header["SoldToParty"]), None
    )
    if customer is None:
        raise _reject(f"Sold-to party {header['SoldToParty']} does not exist", "V1/390")
    raw_items = nav_rows(body.get("to_Item"))
    if not raw_items:
        raise _reject("A credit memo request needs at least one item", "V1/555")
    _check_lengths(header)
    number = str(_FIRST_NUMBER + len(tables.rows("A_CreditMemoRequest")))
    items = []
    for position, raw in enumerate(raw_items, start=1):
        item = decode_row(service.sets["A_CreditMemoRequestItem"], raw)
        _check_lengths(item)
        if item.get("NetAmount") is None or item["NetAmount"] <= 0:
            raise _reject(f"Item {position}: enter a positive NetAmount", "V1/556")
        item["CreditMemoRequest"] = number
        item["CreditMemoRequestItem"] = item.get("CreditMemoRequestItem") or str(position * 10)
        items.append(item)
    header["CreditMemoRequest"] = number
    header["CreditMemoRequestType"] = header.get("CreditMemoRequestType") or "CR"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    header["CreditMemoRequestDate"] = header.get("CreditMemoRequestDate") or today
    header["TotalNetAmount"] = sum((i["NetAmount"] for i in items), Decimal("0"))
    tables.insert("A_CreditMemoRequest", header)
    for item in items:
        tables.insert("A_CreditMemoRequestItem", item)
    return header
