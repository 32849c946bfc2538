"""Customer-billing part of the ERP conformance suite (customer invoices, copies, subscriptions).

`ERPConformance` inherits these tests; they use its `connector` and `company` fixtures. Invoices
are matched to the sample by content (customer, date, amounts), subscriptions by customer and
plan, never by number, because each ERP numbers documents its own way.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, timedelta

import pdfplumber
import pytest

from connectors.erp.billing import (
    CANCEL_REASON_MAX,
    CustomerInvoice,
    CustomerInvoiceStatus,
    Subscription,
    SubscriptionStatus,
    current_period_end,
)
from connectors.erp.protocol import ERPConnector
from connectors.erp.sample_data import SampleCompany
from connectors.errors import NotFoundError, RejectedError

InvoiceKey = tuple[str, date, object, object, CustomerInvoiceStatus]


def invoice_key(invoice: CustomerInvoice) -> InvoiceKey:
    return invoice.customer_id, invoice.invoice_date, invoice.net_amount, invoice.tax_amount, invoice.status


def _subscription_key(subscription: Subscription) -> tuple[object, ...]:
    return (
        subscription.customer_id,
        subscription.plan,
        subscription.status,
        subscription.billing_period,
        subscription.start_date,
        subscription.end_date,
    )


def _active(connector: ERPConnector, company: SampleCompany, plan: str) -> Subscription:
    for customer in company.sales.customers:
        for subscription in connector.list_subscriptions(customer):
            if subscription.plan == plan and subscription.status is SubscriptionStatus.ACTIVE:
                return subscription
    raise AssertionError(f"no active {plan!r} in the sample")


class BillingConformance:
    """Invoice look-ups, printable copies, and subscription cancellation that is safe to repeat."""

    def test_customer_invoices_match_the_sample(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        found = [i for c in company.sales.customers for i in connector.list_customer_invoices(c)]
        expected = company.sales.invoices
        assert Counter(invoice_key(i) for i in found) == Counter(invoice_key(i) for i in expected)
        assert {i.currency for i in found} == {"EUR", "USD"}
        orders = {o.number for c in company.sales.customers for o in connector.list_sales_orders(c)}
        assert all(i.order_number in orders for i in found), (
            "an invoice names its order as the ERP numbers it"
        )
        customer = company.sales.customers[1]
        dates = [i.invoice_date for i in connector.list_customer_invoices(customer)]
        assert dates == sorted(dates) and len(dates) >= 2, "invoices come oldest first"
        assert connector.list_customer_invoices("CUST-99999") == []

    def test_invoice_by_number_and_by_order(self, connector: ERPConnector, company: SampleCompany) -> None:
        customer = company.sales.customers[2]
        for invoice in connector.list_customer_invoices(customer):
            assert connector.get_customer_invoice(invoice.number) == invoice
            assert invoice.order_number is not None
            by_order = connector.list_customer_invoices(customer, order_number=invoice.order_number)
            assert invoice in by_order and {i.order_number for i in by_order} == {invoice.order_number}
        other = company.sales.customers[3]
        order = connector.list_sales_orders(customer)[0].number
        assert connector.list_customer_invoices(other, order_number=order) == []

    def test_cancelled_invoice_is_reported_as_such(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        cancelled = [i for i in company.sales.invoices if i.status is CustomerInvoiceStatus.CANCELLED]
        assert cancelled
        for sample in cancelled:
            listed = connector.list_customer_invoices(sample.customer_id)
            found = [i for i in listed if invoice_key(i) == invoice_key(sample)]
            assert len(found) == 1 and found[0].status is CustomerInvoiceStatus.CANCELLED

    def test_unknown_invoice(self, connector: ERPConnector) -> None:
        with pytest.raises(NotFoundError):
            connector.get_customer_invoice("9999999999")
        with pytest.raises(NotFoundError):
            connector.get_invoice_copy("9999999999")

    def test_invoice_copy(self, connector: ERPConnector, company: SampleCompany) -> None:
        invoice = connector.list_customer_invoices(company.sales.customers[0])[0]
        copy = connector.get_invoice_copy(invoice.number)
        assert copy.invoice_number == invoice.number and copy.filename
        if copy.content is not None:
            assert copy.media_type == "application/pdf" and copy.content.startswith(b"%PDF-")
            with pdfplumber.open(io.BytesIO(copy.content)) as pdf:
                text = pdf.pages[0].extract_text() or ""
            assert invoice.number in text and f"{invoice.gross_amount:.2f}" in text
        else:
            assert copy.reference and copy.reference.startswith("https://"), "a reference a person can open"

    def test_subscriptions_match_the_sample(self, connector: ERPConnector, company: SampleCompany) -> None:
        found = [s for c in company.sales.customers for s in connector.list_subscriptions(c)]
        assert Counter(_subscription_key(s) for s in found) == Counter(
            _subscription_key(s) for s in company.sales.subscriptions
        )
        for subscription in found:
            assert connector.get_subscription(subscription.id) == subscription
        assert connector.list_subscriptions("CUST-99999") == []
        with pytest.raises(NotFoundError):
            connector.get_subscription("9999999999")

    def test_cancel_subscription_ends_it_with_the_running_period(
        self, connector: ERPConnector, company: SampleCompany
    ) -> None:
        active = _active(connector, company, "Device protection plan")
        cancelled = connector.cancel_subscription(active.id, "customer request via intake")
        today = date.today()
        possible = {
            current_period_end(active.start_date, active.billing_period, day)
            for day in (today - timedelta(days=1), today)
        }
        assert cancelled.status is SubscriptionStatus.CANCELLED and cancelled.end_date in possible
        assert cancelled.cancellation_reason == "customer request via intake"
        unchanged = {"status": active.status, "end_date": None, "cancellation_reason": None}
        assert cancelled.model_copy(update=unchanged) == active, "only the cancellation changes"
        assert connector.get_subscription(active.id) == cancelled
        assert connector.cancel_subscription(active.id, "customer request via intake") == cancelled
        assert connector.cancel_subscription(active.id, "another reason") == cancelled, "first one wins"

    def test_cancel_subscription_errors(self, connector: ERPConnector, company: SampleCompany) -> None:
        active = _active(connector, company, "Premium support plan")
        with pytest.raises(NotFoundError):
            connector.cancel_subscription("9999999999", "customer request")
        for bad in ("", "  ", "x" * (CANCEL_REASON_MAX + 1)):
            with pytest.raises(RejectedError):
                connector.cancel_subscription(active.id, bad)
        assert connector.get_subscription(active.id) == active
