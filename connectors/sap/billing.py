"""Customer billing on S/4HANA: `SapBilling`, the billing part of `SapS4HanaAdapter`.

Invoices are read from API_BILLING_DOCUMENT_SRV and copied with its ``GetPDF`` function import.
*Deviation:* S/4HANA core releases no OData API for subscriptions, so they are read and cancelled
through a customer Gateway service (``options.subscription_service``, default
ZOPSPACK_SUBSCRIPTION_SRV: ``SubscriptionSet`` and the ``CancelSubscription`` function import,
see `mocks.sap.schema_billing` for the expected shape). The cancel call is safe to repeat (a
cancelled subscription is answered unchanged), so it is retried like a read. Field choices:
`connectors.sap.billing_mapping`.
"""

from __future__ import annotations

from connectors.erp.billing import CustomerInvoice, InvoiceCopy, Subscription, cancel_reason_problem
from connectors.errors import NotFoundError, RejectedError
from connectors.http import VendorHttp
from connectors.sap import billing_mapping
from connectors.sap.odata import ODataService, literal

_ID_CHUNK = 20
_INVOICES = f"SDDocumentCategory eq {literal(billing_mapping.INVOICE_CATEGORY)}"


class SapBilling:
    """Needs the adapter's `http`; the adapter calls `_init_billing` from its constructor."""

    http: VendorHttp

    def _init_billing(self, sap_client: str | None, subscription_service: str) -> None:
        self.billing = ODataService(self.http, "API_BILLING_DOCUMENT_SRV", sap_client=sap_client)
        self.subscription_service = ODataService(self.http, subscription_service, sap_client=sap_client)

    # --- invoices ------------------------------------------------------------------------------
    def get_customer_invoice(self, number: str) -> CustomerInvoice:
        header = self.billing.entity("A_BillingDocument", {"BillingDocument": number}, expand="to_Item")
        if header.get("SDDocumentCategory") != billing_mapping.INVOICE_CATEGORY:
            raise NotFoundError(
                f"billing document {number} is not a customer invoice",
                vendor=self.http.vendor,
                endpoint="GET A_BillingDocument",
            )
        return billing_mapping.invoice_from(header)

    def list_customer_invoices(
        self, customer_id: str, *, order_number: str | None = None
    ) -> list[CustomerInvoice]:
        where = f"SoldToParty eq {literal(customer_id)} and {_INVOICES}"
        wheres = [where]
        if order_number is not None:
            items = self.billing.collection(
                "A_BillingDocumentItem",
                filter=f"SalesDocument eq {literal(order_number)}",
                select="BillingDocument",
            )
            numbers = sorted({str(i["BillingDocument"]) for i in items})
            wheres = [
                where
                + " and ("
                + " or ".join(f"BillingDocument eq {literal(n)}" for n in numbers[start : start + _ID_CHUNK])
                + ")"
                for start in range(0, len(numbers), _ID_CHUNK)
            ]
        found = [
            billing_mapping.invoice_from(header)
            for clause in wheres
            for header in self.billing.collection("A_BillingDocument", filter=clause, expand="to_Item")
        ]
        return sorted(found, key=lambda i: (i.invoice_date, i.number))

    def get_invoice_copy(self, number: str) -> InvoiceCopy:
        self.get_customer_invoice(number)
        result = self.billing.function("GetPDF", {"BillingDocument": number}, idempotent=True, method="GET")
        return billing_mapping.copy_from(result, number)

    # --- subscriptions -------------------------------------------------------------------------
    def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        rows = self.subscription_service.collection(
            "SubscriptionSet", filter=f"SoldToParty eq {literal(customer_id)}"
        )
        found = [billing_mapping.subscription_from(row) for row in rows]
        return sorted(found, key=lambda s: (s.start_date, s.id))

    def get_subscription(self, subscription_id: str) -> Subscription:
        row = self.subscription_service.entity("SubscriptionSet", {"Subscription": subscription_id})
        return billing_mapping.subscription_from(row)

    def cancel_subscription(self, subscription_id: str, reason: str) -> Subscription:
        problem = cancel_reason_problem(reason)
        if problem:
            raise RejectedError(problem, vendor=self.http.vendor, endpoint="POST CancelSubscription")
        row = self.subscription_service.function(
            "CancelSubscription", {"Subscription": subscription_id, "Reason": reason}, idempotent=True
        )
        return billing_mapping.subscription_from(row)
