"""Customer billing in the SAP mock: API_BILLING_DOCUMENT_SRV and the subscription Z service.

API_BILLING_DOCUMENT_SRV is S/4HANA's released billing-document API: headers and items (trimmed
to what opspack reads) and the ``GetPDF`` function import, whose ``GetPDFResult`` carries the
rendered document base64-encoded in ``BillingDocumentBinary``. Invoice cancellations are billing
documents too (``SDDocumentCategory`` N next to the invoice's M, ``CancelledBillingDocument``
pointing back).

``ZOPSPACK_SUBSCRIPTION_SRV`` is a customer (Z) Gateway service. S/4HANA core releases no OData API
for subscriptions (SAP Subscription Billing is a separate BTP product with its own REST API), so
an installation that bills plans from S/4 exposes them through its own service; this is the shape
opspack expects of it: ``SubscriptionSet`` and the ``CancelSubscription`` function import, which
stops the renewal at the end of the running billing period and is safe to repeat.
"""

from __future__ import annotations

from mocks.sap.edm import B, ComplexType, D, FunctionImport, Navigation, S, Service, T
from mocks.sap.edm import entity_set_of as _set

GET_PDF_RESULT = ComplexType("GetPDFResult", {"BillingDocumentBinary": S})

BILLING_DOCUMENT = Service(
    "API_BILLING_DOCUMENT_SRV",
    {
        "A_BillingDocument": _set(
            "A_BillingDocument",
            ("BillingDocument",),
            {
                "BillingDocumentType": S,
                "SDDocumentCategory": S,
                "BillingDocumentDate": T,
                "SalesOrganization": S,
                "SoldToParty": S,
                "PayerParty": S,
                "TotalNetAmount": D,
                "TaxAmount": D,
                "TotalGrossAmount": D,
                "TransactionCurrency": S,
                "BillingDocumentIsCancelled": B,
                "CancelledBillingDocument": S,
                "InvoiceClearingStatus": S,
                "AccountingPostingStatus": S,
            },
            to_Item=Navigation("A_BillingDocumentItem", True, (("BillingDocument", "BillingDocument"),)),
        ),
        "A_BillingDocumentItem": _set(
            "A_BillingDocumentItem",
            ("BillingDocument", "BillingDocumentItem"),
            {
                "SalesDocument": S,
                "SalesDocumentItem": S,
                "ReferenceSDDocument": S,
                "Material": S,
                "BillingDocumentItemText": S,
                "BillingQuantity": D,
                "BillingQuantityUnit": S,
                "NetAmount": D,
                "TaxAmount": D,
                "TransactionCurrency": S,
            },
        ),
    },
    {"GetPDF": FunctionImport("GetPDF", "GET", ("BillingDocument",), return_complex=GET_PDF_RESULT)},
)

SUBSCRIPTION = Service(
    "ZOPSPACK_SUBSCRIPTION_SRV",
    {
        "SubscriptionSet": _set(
            "SubscriptionSet",
            ("Subscription",),
            {
                "SoldToParty": S,
                "SubscriptionPlanText": S,
                "SubscriptionStatus": S,
                "BillingFrequency": S,
                "ValidityStartDate": T,
                "ValidityEndDate": T,
                "CancellationReason": S,
            },
        ),
    },
    {
        "CancelSubscription": FunctionImport(
            "CancelSubscription", "POST", ("Subscription", "Reason"), "SubscriptionSet", max_length=40
        )
    },
)
