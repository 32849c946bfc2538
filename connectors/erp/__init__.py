"""ERP connectors: the `ERPConnector` Protocol, its models, an in-memory fake and the conformance suite.

Vendor adapters live in `connectors.sap` (S/4HANA OData v2) and `connectors.netsuite` (REST record
v1 + SuiteQL); both, and `FakeERP`, pass `connectors.erp.conformance.ERPConformance`.
"""

from __future__ import annotations

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

__all__ = [
    "BankAccount",
    "ERPConnector",
    "FakeERP",
    "GoodsReceipt",
    "InvoiceDraft",
    "InvoiceLine",
    "InvoiceStatus",
    "Payment",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "SpendLine",
    "SupplierInvoice",
    "Vendor",
]
