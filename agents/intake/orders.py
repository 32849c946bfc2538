"""`OrderBook`: the ERP reads intake resolutions need, always scoped to one customer.

A thin helper over `CustomerERP` (sales orders, deliveries, customer invoices, credit memos,
subscriptions). Customers quote numbers as printed on their documents ("SO-100231",
"INV-200231"); NetSuite keeps that prefix in ``tranId``, SAP numbers documents with the digits
only, so a quoted number is tried as written and then as its digits. A document that exists but
belongs to another customer is reported exactly like one that does not exist: intake never
discloses someone else's records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from connectors.erp.billing import CustomerInvoice, CustomerInvoiceStatus, Subscription, SubscriptionStatus
from connectors.erp.protocol import CustomerERP
from connectors.erp.sales import Delivery, SalesOrder
from connectors.errors import NotFoundError
from connectors.readonly import read_only_erp

T = TypeVar("T")
_PREFIX = re.compile(r"^[A-Za-z]+-?(?=\d)")


def number_candidates(quoted: str) -> list[str]:
    """``"so-100231"`` -> ``["SO-100231", "100231"]``: as printed, then the ERP's bare digits."""
    printed = quoted.strip().upper()
    bare = _PREFIX.sub("", printed)
    return [printed] if bare == printed else [printed, bare]


class OrderBook:
    """Read-only views of one ERP for intake."""

    def __init__(self, erp: CustomerERP) -> None:
        self.erp = read_only_erp(erp)

    def _first(self, quoted: str, read: Callable[[str], T]) -> T | None:
        for candidate in number_candidates(quoted):
            try:
                return read(candidate)
            except NotFoundError:
                continue
        return None

    # --- orders --------------------------------------------------------------------------------
    def order(self, quoted: str, customer_id: str) -> SalesOrder | None:
        """The customer's order with this number, or None (no such order, or someone else's)."""
        order = self._first(quoted, self.erp.get_sales_order)
        return order if order is not None and order.customer_id == customer_id else None

    def deliveries(self, order: SalesOrder) -> list[Delivery]:
        return self.erp.list_deliveries(order.number)

    # --- invoices ------------------------------------------------------------------------------
    def invoice(self, quoted: str, customer_id: str) -> CustomerInvoice | None:
        """The customer's invoice with this number, or None (no such invoice, or someone else's)."""
        invoice = self._first(quoted, self.erp.get_customer_invoice)
        return invoice if invoice is not None and invoice.customer_id == customer_id else None

    def invoices_for(self, order: SalesOrder) -> list[CustomerInvoice]:
        """The order's valid (not cancelled) invoices, oldest first."""
        found = self.erp.list_customer_invoices(order.customer_id, order_number=order.number)
        return [i for i in found if i.status is not CustomerInvoiceStatus.CANCELLED]

    def creditable(self, order: SalesOrder) -> tuple[Decimal, list[CustomerInvoice]]:
        """What may still be credited on the order: invoiced gross minus credits already booked on
        the order or its invoices (the ERP's credit memos, whoever booked them)."""
        invoices = self.invoices_for(order)
        references = {order.number, *(i.number for i in invoices)}
        credited = sum(
            (m.amount for m in self.erp.list_credit_memos(order.customer_id) if m.reference in references),
            Decimal("0"),
        )
        invoiced = sum((i.gross_amount for i in invoices), Decimal("0"))
        return invoiced - credited, invoices

    # --- subscriptions -------------------------------------------------------------------------
    def active_subscriptions(self, customer_id: str) -> list[Subscription]:
        return [s for s in self.erp.list_subscriptions(customer_id) if s.status is SubscriptionStatus.ACTIVE]
