"""SAP billing documents and subscriptions <-> opspack billing models. SAP field names stay here.

Choices, written down once:

- A customer invoice is a billing document of SD category M (``SDDocumentCategory``); the
  cancellation documents (N) and credit memos (O) that share the service are not invoices.
  Status: ``BillingDocumentIsCancelled`` -> cancelled, ``InvoiceClearingStatus`` C (cleared by a
  payment) -> paid, else open. Amounts: ``TotalNetAmount`` and ``TaxAmount``; the order is the
  ``SalesDocument`` of its first item.
- A copy is ``GetPDF``'s ``BillingDocumentBinary``, base64 of the rendered PDF.
- A subscription (``ZOPSPACK_SUBSCRIPTION_SRV``, see `connectors.sap.billing`) is cancelled at
  ``SubscriptionStatus`` C; ``BillingFrequency`` M / Y is monthly / annual; ``ValidityEndDate``
  is the last day of service, empty while it renews.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from connectors.erp.billing import (
    BillingPeriod,
    CustomerInvoice,
    CustomerInvoiceStatus,
    InvoiceCopy,
    Subscription,
    SubscriptionStatus,
)
from connectors.sap.odata import Entity, results, to_date, to_decimal

INVOICE_CATEGORY = "M"
_FREQUENCY = {"M": BillingPeriod.MONTHLY, "Y": BillingPeriod.ANNUAL}


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def invoice_from(header: Entity) -> CustomerInvoice:
    if header.get("BillingDocumentIsCancelled"):
        status = CustomerInvoiceStatus.CANCELLED
    elif header.get("InvoiceClearingStatus") == "C":
        status = CustomerInvoiceStatus.PAID
    else:
        status = CustomerInvoiceStatus.OPEN
    issued = to_date(header.get("BillingDocumentDate"))
    if issued is None:
        raise ValueError(f"billing document {header.get('BillingDocument')} has no BillingDocumentDate")
    items = sorted(results(header.get("to_Item")), key=lambda i: int(str(i["BillingDocumentItem"])))
    return CustomerInvoice(
        number=str(header["BillingDocument"]),
        customer_id=str(header.get("SoldToParty") or ""),
        status=status,
        currency=str(header.get("TransactionCurrency") or ""),
        invoice_date=issued,
        net_amount=to_decimal(header.get("TotalNetAmount")),
        tax_amount=to_decimal(header.get("TaxAmount")),
        order_number=_text(items[0].get("SalesDocument")) if items else None,
    )


def copy_from(result: Entity, number: str) -> InvoiceCopy:
    """``{"GetPDF": {"BillingDocumentBinary": ...}}`` (or the bare result) -> the PDF copy."""
    inner = result.get("GetPDF", result)
    encoded = inner.get("BillingDocumentBinary") if isinstance(inner, dict) else None
    if not encoded:
        raise ValueError(f"GetPDF for billing document {number} returned no BillingDocumentBinary")
    try:
        content = base64.b64decode(str(encoded), validate=True)
    except binascii.Error:
        raise ValueError(f"GetPDF for billing document {number} is not base64") from None
    return InvoiceCopy(invoice_number=number, filename=f"invoice-{number}.pdf", content=content)


def subscription_from(row: Entity) -> Subscription:
    start = to_date(row.get("ValidityStartDate"))
    frequency = str(row.get("BillingFrequency") or "")
    if start is None or frequency not in _FREQUENCY:
        raise ValueError(f"subscription {row.get('Subscription')} lacks a start date or a known frequency")
    cancelled = row.get("SubscriptionStatus") == "C"
    return Subscription(
        id=str(row["Subscription"]),
        customer_id=str(row.get("SoldToParty") or ""),
        plan=str(row.get("SubscriptionPlanText") or ""),
        status=SubscriptionStatus.CANCELLED if cancelled else SubscriptionStatus.ACTIVE,
        billing_period=_FREQUENCY[frequency],
        start_date=start,
        end_date=to_date(row.get("ValidityEndDate")),
        cancellation_reason=_text(row.get("CancellationReason")),
    )
