"""Function imports of the SAP mock's billing services: ``GetPDF`` and ``CancelSubscription``.

``GetPDF`` renders the billing document as a one-page PDF (the output a real system's form would
produce) and answers it base64-encoded; cancelled documents print too, as S/4 does. A
cancellation stops the renewal: status C, ``ValidityEndDate`` = the last day of the running
billing period (monthly or yearly from ``ValidityStartDate``), the reason kept (CHAR 40). A
subscription already cancelled is answered unchanged, so a repeated call is harmless.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.erp.billing import BillingPeriod, current_period_end, text_pdf
from mocks.base import MockHttpError
from mocks.sap.store import Row, SapTables

REASON_MAX = 40
_FREQUENCIES = {"M": BillingPeriod.MONTHLY, "Y": BillingPeriod.ANNUAL}


def _money(value: Any) -> str:
    return f"{Decimal(str(value or 0)):.2f}"


def billing_document_pdf(tables: SapTables, number: str) -> dict[str, Any]:
    """The ``GetPDFResult`` of one billing document."""
    document = tables.get("A_BillingDocument", {"BillingDocument": number})
    partner = tables.tables["A_BusinessPartner"].get((document["SoldToParty"],))
    name = partner["BusinessPartnerFullName"] if partner else document["SoldToParty"]
    currency = document["TransactionCurrency"]
    issued = document["BillingDocumentDate"]
    lines = [
        f"INVOICE {number}" if document["SDDocumentCategory"] == "M" else f"BILLING DOCUMENT {number}",
        f"Date: {issued:%Y-%m-%d}" if issued else "Date: -",
        f"Customer: {name} ({document['SoldToParty']})",
        *(
            f"{item['BillingDocumentItemText']}: {_money(item['NetAmount'])} {currency}"
            for item in tables.related("A_BillingDocument", document, "to_Item")
        ),
        f"Net amount: {_money(document['TotalNetAmount'])} {currency}",
        f"Tax: {_money(document['TaxAmount'])} {currency}",
        f"Total: {_money(document['TotalGrossAmount'])} {currency}",
        *(["CANCELLED"] if document["BillingDocumentIsCancelled"] else []),
    ]
    return {
        "__metadata": {"type": "API_BILLING_DOCUMENT_SRV.GetPDFResult"},
        "BillingDocumentBinary": base64.b64encode(text_pdf(lines)).decode("ascii"),
    }


def cancel_subscription(tables: SapTables, number: str, reason: str) -> Row:
    subscription = tables.get("SubscriptionSet", {"Subscription": number})
    if subscription["SubscriptionStatus"] == "C":
        return subscription
    if not reason.strip() or len(reason) > REASON_MAX:
        raise MockHttpError(
            400, f"Enter a cancellation reason of 1 to {REASON_MAX} characters", code="ZOPSPACK/011"
        )
    start: datetime = subscription["ValidityStartDate"]
    period = _FREQUENCIES.get(subscription["BillingFrequency"])
    if period is None:
        raise MockHttpError(
            400, f"Billing frequency {subscription['BillingFrequency']!r} is not defined", code="ZOPSPACK/012"
        )
    ends = current_period_end(start.date(), period, datetime.now(UTC).date())
    subscription.update(
        SubscriptionStatus="C",
        ValidityEndDate=datetime(ends.year, ends.month, ends.day),
        CancellationReason=reason,
    )
    return subscription
