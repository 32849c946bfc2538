"""ERP connectors: the `ERPConnector` Protocol, its models, an in-memory fake and the conformance suite.

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
from connectors.erp.protocol import ERPConnector
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
    "Payment",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "SpendLine",
    "Subscription",
    "SubscriptionStatus",
    "SupplierInvoice",
    "Vendor",
]
