"""SAP order-to-cash entities <-> opspack sales models. Every SAP field name stays in this package.

Choices, written down once:

- A sales order is *cancelled* when fully rejected (``OverallSDDocumentRejectionSts = 'C'``),
  else *delivered* / *partially delivered* / *open* from ``OverallTotalDeliveryStatus`` C / B / A.
  Unit price = item ``NetAmount / RequestedQuantity``.
- A delivery (``A_OutbDeliveryHeader``) is *delivered* once proof of delivery is complete
  (``OverallProofOfDeliveryStatus = 'C'``, date ``ProofOfDeliveryDate``), *shipped* once goods issue
  is posted (``OverallGoodsMovementStatus = 'C'``, date ``ActualGoodsMovementDate``). The carrier is
  ``MeansOfTransport`` and the tracking number ``BillOfLading`` (LIKP-BOLNR), the header fields a
  shipping integration fills; its order is the ``ReferenceSDDocument`` of its items.
- A credit memo is a credit memo request (type CR) with one item: amount in ``NetAmount``, reason in
  ``CreditMemoRequestItemText`` (40 chars), the credited order/invoice in ``ReferenceSDDocument``
  and the business key in the customer reference ``PurchaseOrderByCustomer`` (CHAR 35; longer keys
  are stored as ``OPK-`` + a SHA-256 prefix, see `customer_reference`).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from connectors.erp.sales import (
    CreditMemo,
    CreditMemoDraft,
    Delivery,
    DeliveryStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from connectors.sap.odata import Entity, results, to_date, to_decimal

CUSTOMER_REFERENCE_MAX = 35
_DELIVERY = {"C": SalesOrderStatus.DELIVERED, "B": SalesOrderStatus.PARTIALLY_DELIVERED}


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def customer_reference(business_key: str) -> str:
    """The business key as it fits ``PurchaseOrderByCustomer``: as is, or a stable digest."""
    if len(business_key) <= CUSTOMER_REFERENCE_MAX:
        return business_key
    return "OPK-" + hashlib.sha256(business_key.encode()).hexdigest()[: CUSTOMER_REFERENCE_MAX - 4]


def sales_order_from(header: Entity) -> SalesOrder:
    if header.get("OverallSDDocumentRejectionSts") == "C":
        status = SalesOrderStatus.CANCELLED
    else:
        status = _DELIVERY.get(str(header.get("OverallTotalDeliveryStatus")), SalesOrderStatus.OPEN)
    items = sorted(results(header.get("to_Item")), key=lambda i: int(str(i["SalesOrderItem"])))
    order_date = to_date(header.get("SalesOrderDate"))
    if order_date is None:
        raise ValueError(f"sales order {header.get('SalesOrder')} has no SalesOrderDate")
    lines = []
    for item in items:
        quantity = to_decimal(item.get("RequestedQuantity"))
        net = to_decimal(item.get("NetAmount"))
        lines.append(
            SalesOrderLine(
                line=str(int(str(item["SalesOrderItem"]))),
                description=str(item.get("SalesOrderItemText") or ""),
                quantity=quantity,
                unit=str(item.get("RequestedQuantityUnit") or ""),
                unit_price=net / quantity if quantity else net,
                item=_text(item.get("Material")),
            )
        )
    return SalesOrder(
        number=str(header["SalesOrder"]),
        customer_id=str(header.get("SoldToParty") or ""),
        status=status,
        currency=str(header.get("TransactionCurrency") or ""),
        order_date=order_date,
        lines=tuple(lines),
    )


def delivery_from(header: Entity, order_number: str) -> Delivery:
    if header.get("OverallProofOfDeliveryStatus") == "C":
        status = DeliveryStatus.DELIVERED
    elif header.get("OverallGoodsMovementStatus") == "C":
        status = DeliveryStatus.SHIPPED
    else:
        status = DeliveryStatus.PLANNED
    return Delivery(
        number=str(header["DeliveryDocument"]),
        order_number=order_number,
        status=status,
        shipped_date=to_date(header.get("ActualGoodsMovementDate")),
        delivered_date=to_date(header.get("ProofOfDeliveryDate")),
        carrier=_text(header.get("MeansOfTransport")),
        tracking=_text(header.get("BillOfLading")),
    )


def credit_memo_from(header: Entity, business_key: str) -> CreditMemo:
    items = results(header.get("to_Item"))
    memo_date = to_date(header.get("CreditMemoRequestDate"))
    if memo_date is None:
        raise ValueError(f"credit memo request {header.get('CreditMemoRequest')} has no date")
    return CreditMemo(
        id=str(header["CreditMemoRequest"]),
        customer_id=str(header.get("SoldToParty") or ""),
        currency=str(header.get("TransactionCurrency") or ""),
        amount=to_decimal(header.get("TotalNetAmount")),
        reason=str(items[0].get("CreditMemoRequestItemText") or "") if items else "",
        reference=_text(header.get("ReferenceSDDocument")),
        business_key=business_key,
        memo_date=memo_date,
    )


def credit_memo_payload(draft: CreditMemoDraft, *, sales_area: tuple[str, str, str]) -> dict[str, Any]:
    organization, channel, division = sales_area
    return {
        "CreditMemoRequestType": "CR",
        "SalesOrganization": organization,
        "DistributionChannel": channel,
        "OrganizationDivision": division,
        "SoldToParty": draft.customer_id,
        "PurchaseOrderByCustomer": customer_reference(draft.business_key),
        "ReferenceSDDocument": draft.reference or "",
        "TransactionCurrency": draft.currency,
        "to_Item": [
            {
                "CreditMemoRequestItemText": draft.reason,
                "RequestedQuantity": "1",
                "RequestedQuantityUnit": "EA",
                "NetAmount": format(draft.amount.quantize(Decimal("0.01")), "f"),
            }
        ],
    }
