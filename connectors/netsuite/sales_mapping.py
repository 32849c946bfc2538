"""NetSuite order-to-cash records <-> opspack sales models. NetSuite field names stay in this package.

Choices, written down once:

- A customer id is the customer's ``entityId`` (Customer ID), which the sample keeps equal to the
  CRM account number; the adapter resolves it to the internal id with SuiteQL.
- A sales order's number is its ``tranId``. Status: Pending Approval / Pending Fulfillment (A, B)
  -> open; Partially Fulfilled / Pending Billing-Partially Fulfilled (D, E) -> partially delivered;
  Pending Billing / Billed (F, G) -> delivered; Cancelled / Closed (C, H) -> cancelled.
- A delivery is an ``itemFulfillment`` created from the order: *shipped* at ship status C
  (``tranDate`` is the ship date), *delivered* once the custom body field
  ``custbody_opspack_delivered_date`` is set (NetSuite has no native proof-of-delivery date; a
  carrier integration writes it). Carrier = ``shipMethod`` name, tracking = the first package's
  ``packageTrackingNumber``.
- A credit memo is a ``creditMemo``: business key in ``externalId`` (unique: DUP_RCRD on a repeat),
  reason in ``memo``, the credited order/invoice number in ``otherRefNum``, amount = ``total``.
"""

from __future__ import annotations

from typing import Any

from connectors.erp.sales import (
    CreditMemo,
    Delivery,
    DeliveryStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from connectors.netsuite.mapping import dec, iso_date, items

DELIVERED_DATE_FIELD = "custbody_opspack_delivered_date"
_ORDER_STATUS = {
    "A": SalesOrderStatus.OPEN,
    "B": SalesOrderStatus.OPEN,
    "C": SalesOrderStatus.CANCELLED,
    "D": SalesOrderStatus.PARTIALLY_DELIVERED,
    "E": SalesOrderStatus.PARTIALLY_DELIVERED,
    "F": SalesOrderStatus.DELIVERED,
    "G": SalesOrderStatus.DELIVERED,
    "H": SalesOrderStatus.CANCELLED,
}


def _name(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("refName")) if value.get("refName") else None
    return str(value) if value not in (None, "") else None


def _required_date(record: dict[str, Any]) -> Any:
    found = iso_date(record.get("tranDate"))
    if found is None:
        raise ValueError(f"NetSuite record {record.get('id')} has no tranDate")
    return found


def sales_order_from(record: dict[str, Any], customer_id: str) -> SalesOrder:
    status_id = str((record.get("status") or {}).get("id") or "")
    if status_id not in _ORDER_STATUS:
        raise ValueError(f"sales order {record.get('tranId')} has unknown status {status_id!r}")
    lines = sorted(items(record), key=lambda i: int(i["line"]))
    return SalesOrder(
        number=str(record.get("tranId") or ""),
        customer_id=customer_id,
        status=_ORDER_STATUS[status_id],
        currency=str((record.get("currency") or {}).get("refName") or ""),
        order_date=_required_date(record),
        lines=tuple(
            SalesOrderLine(
                line=str(line["line"]),
                description=str(line.get("description") or ""),
                quantity=dec(line.get("quantity")),
                unit=_name(line.get("units")) or "",
                unit_price=dec(line.get("rate")),
                item=_name(line.get("item")),
            )
            for line in lines
        ),
    )


def delivery_from(record: dict[str, Any], order_number: str) -> Delivery:
    shipped = str((record.get("shipStatus") or {}).get("id") or "") == "C"
    delivered_on = iso_date(record.get(DELIVERED_DATE_FIELD))
    if delivered_on is not None:
        status = DeliveryStatus.DELIVERED
    else:
        status = DeliveryStatus.SHIPPED if shipped else DeliveryStatus.PLANNED
    packages = items(record, "package")
    return Delivery(
        number=str(record.get("tranId") or record["id"]),
        order_number=order_number,
        status=status,
        shipped_date=iso_date(record.get("tranDate")) if shipped else None,
        delivered_date=delivered_on,
        carrier=_name(record.get("shipMethod")),
        tracking=_name(packages[0].get("packageTrackingNumber")) if packages else None,
    )


def credit_memo_from(record: dict[str, Any], customer_id: str) -> CreditMemo:
    return CreditMemo(
        id=str(record["id"]),
        customer_id=customer_id,
        currency=str((record.get("currency") or {}).get("refName") or ""),
        amount=dec(record.get("total")),
        reason=str(record.get("memo") or ""),
        reference=_name(record.get("otherRefNum")),
        business_key=str(record.get("externalId") or ""),
        memo_date=_required_date(record),
    )
