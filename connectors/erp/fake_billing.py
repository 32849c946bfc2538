"""The customer-billing part of `FakeERP`: customer invoices, their PDF copies and subscriptions.

Same rules as the mocks: invoice copies are PDFs rendered from the invoice (as SAP's ``GetPDF``
does), a cancellation ends the subscription at the end of the running billing period and
cancelling twice changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from connectors.erp.billing import (
    CustomerInvoice,
    InvoiceCopy,
    Subscription,
    SubscriptionStatus,
    cancel_reason_problem,
    current_period_end,
    invoice_lines,
    text_pdf,
)
from connectors.errors import ConnectorError, NotFoundError, RejectedError

VENDOR = "fake-erp"


def _fail(cls: type[ConnectorError], operation: str, message: str) -> ConnectorError:
    return cls(message, vendor=VENDOR, endpoint=operation)


class FakeBilling:
    """Mixed into `FakeERP`; `today` decides where a cancelled subscription's period ends."""

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        self._billing_lock = threading.Lock()
        self._customer_invoices: dict[str, CustomerInvoice] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._billing_today = today

    # --- seeding and inspection ----------------------------------------------------------------
    def add_customer_invoice(self, invoice: CustomerInvoice) -> None:
        self._customer_invoices[invoice.number] = invoice

    def add_subscription(self, subscription: Subscription) -> None:
        self._subscriptions[subscription.id] = subscription

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions.values())

    # --- invoices ------------------------------------------------------------------------------
    def get_customer_invoice(self, number: str) -> CustomerInvoice:
        invoice = self._customer_invoices.get(number)
        if invoice is None:
            raise _fail(NotFoundError, "get_customer_invoice", f"customer invoice {number!r} does not exist")
        return invoice

    def list_customer_invoices(
        self, customer_id: str, *, order_number: str | None = None
    ) -> list[CustomerInvoice]:
        found = [
            i
            for i in self._customer_invoices.values()
            if i.customer_id == customer_id and order_number in (None, i.order_number)
        ]
        return sorted(found, key=lambda i: (i.invoice_date, i.number))

    def get_invoice_copy(self, number: str) -> InvoiceCopy:
        invoice = self.get_customer_invoice(number)
        return InvoiceCopy(
            invoice_number=number, filename=f"invoice-{number}.pdf", content=text_pdf(invoice_lines(invoice))
        )

    # --- subscriptions -------------------------------------------------------------------------
    def list_subscriptions(self, customer_id: str) -> list[Subscription]:
        found = [s for s in self._subscriptions.values() if s.customer_id == customer_id]
        return sorted(found, key=lambda s: (s.start_date, s.id))

    def get_subscription(self, subscription_id: str) -> Subscription:
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise _fail(NotFoundError, "get_subscription", f"subscription {subscription_id!r} does not exist")
        return subscription

    def cancel_subscription(self, subscription_id: str, reason: str) -> Subscription:
        problem = cancel_reason_problem(reason)
        if problem:
            raise _fail(RejectedError, "cancel_subscription", problem)
        with self._billing_lock:
            subscription = self.get_subscription(subscription_id)
            if subscription.status is SubscriptionStatus.CANCELLED:
                return subscription
            ends = current_period_end(
                subscription.start_date, subscription.billing_period, self._billing_today()
            )
            cancelled = subscription.model_copy(
                update={
                    "status": SubscriptionStatus.CANCELLED,
                    "end_date": ends,
                    "cancellation_reason": reason,
                }
            )
            self._subscriptions[subscription_id] = cancelled
            return cancelled
