"""`SalesSample`: the order-to-cash records of the sample company, in neutral ids.

Its own module so `sample_sales` (which builds it) and `sample_billing` (which adds invoices and
subscriptions to it) both depend on it and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.erp.billing import CustomerInvoice, Subscription
from connectors.erp.sales import CreditMemo, Delivery, SalesOrder


@dataclass
class SalesSample:
    """Order-to-cash records of the sample company, in neutral ids."""

    customers: list[str] = field(default_factory=list)
    """Customer ids (= CRM account numbers) in CRM account order."""
    orders: list[SalesOrder] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    credit_memos: list[CreditMemo] = field(default_factory=list)
    invoices: list[CustomerInvoice] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
