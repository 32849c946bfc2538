"""ERP connectors: the area Protocols and their union `ERPConnector`, the models, an in-memory fake
and the conformance suite.

`PayablesERP`, `SpendERP`, `SalesERP` and `BillingERP` (`connectors.erp.protocol`) each cover one
area; code depends on the narrowest one it needs, adapters implement `ERPConnector`, all four.

Procure-to-pay models live in `connectors.erp.models`, order-to-cash ones in `connectors.erp.sales`,
customer billing (invoices, invoice copies, subscriptions) in `connectors.erp.billing`.

Vendor adapters live in `connectors.sap` (S/4HANA OData v2) and `connectors.netsuite` (REST record
v1 + SuiteQL); both, and `FakeERP`, pass `connectors.erp.conformance.ERPConformance`.
"""

from __future__ import annotations

from connectors.erp.billing import (
    BillingPeriod,
    CustomerInvoice,
    CustomerInvoiceStatus,
    InvoiceCopy,
    Subscription,
    SubscriptionStatus,
)
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceDraft,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SpendLine,
    SupplierInvoice,
    Vendor,
)
from connectors.erp.protocol import BillingERP, ERPConnector, PayablesERP, SalesERP, SpendERP
from connectors.erp.sales import (
    CreditMemo,
    CreditMemoDraft,
    Delivery,
    DeliveryStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)

__all__ = [
    "BankAccount",
    "BillingERP",
    "BillingPeriod",
    "CreditMemo",
    "CreditMemoDraft",
    "CustomerInvoice",
    "CustomerInvoiceStatus",
    "Delivery",
    "DeliveryStatus",
    "ERPConnector",
    "FakeERP",
    "GoodsReceipt",
    "InvoiceCopy",
    "InvoiceDraft",
    "InvoiceLine",
    "InvoiceStatus",
    "PayablesERP",
    "Payment",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "SalesERP",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "SpendERP",
    "SpendLine",
    "Subscription",
    "SubscriptionStatus",
    "SupplierInvoice",
    "Vendor",
]
