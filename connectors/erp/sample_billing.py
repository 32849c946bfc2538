"""Customer invoices and subscriptions of the sample company (the billing half of order to cash).

Every delivered or partially delivered order is invoiced in full at its first shipment (order-
related billing), numbered like its order (``SO-100231`` -> ``INV-200231``); EUR invoices carry
19 % VAT, USD ones 8 % sales tax. Invoices of first orders are paid, later ones open, and one
customer has a cancelled invoice that was re-issued. Subscriptions: every customer but every
seventh has a monthly "Premium support plan"; every third (from the second) also an annual
"Device protection plan"; every third (from the third) cancelled its support plan in June 2025,
so it has ended and nothing of theirs renews. Ids are neutral (``SUB-0001``); renderers map them onto each ERP's numbering.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from connectors.erp.billing import (
    BillingPeriod,
    CustomerInvoice,
    CustomerInvoiceStatus,
    Subscription,
    SubscriptionStatus,
    current_period_end,
)
from connectors.erp.sales import SalesOrderStatus
from connectors.erp.sample_records import SalesSample

TAX_RATES = {"EUR": Decimal("0.19"), "USD": Decimal("0.08")}
SUPPORT_PLAN = "Premium support plan"
PROTECTION_PLAN = "Device protection plan"
CANCELLED_ON = date(2025, 6, 15)
"""When the sample's cancelled subscriptions were cancelled (their end date follows from it)."""
REISSUED_CUSTOMER = 5
"""Index of the customer whose first invoice was cancelled and issued again."""
_INVOICED = {SalesOrderStatus.DELIVERED, SalesOrderStatus.PARTIALLY_DELIVERED}


def invoice_number(order_number: str, offset: int = 100000) -> str:
    return f"INV-{int(order_number.removeprefix('SO-')) + offset}"


def add_billing(rng: random.Random, sample: SalesSample) -> None:
    """Append the invoices and subscriptions the orders of `sample` imply."""
    shipped: dict[str, date] = {}
    for delivery in sample.deliveries:
        if delivery.shipped_date is not None:
            first = shipped.get(delivery.order_number)
            shipped[delivery.order_number] = min(first or delivery.shipped_date, delivery.shipped_date)
    first_orders: dict[str, str] = {}
    for order in sample.orders:
        first_orders.setdefault(order.customer_id, order.number)
    reissued = sample.customers[REISSUED_CUSTOMER]
    for order in sample.orders:
        if order.status not in _INVOICED or order.number not in shipped:
            continue
        net = order.net_amount.quantize(Decimal("0.01"))
        invoice = CustomerInvoice(
            number=invoice_number(order.number),
            customer_id=order.customer_id,
            status=CustomerInvoiceStatus.PAID
            if first_orders[order.customer_id] == order.number
            else CustomerInvoiceStatus.OPEN,
            currency=order.currency,
            invoice_date=shipped[order.number],
            net_amount=net,
            tax_amount=(net * TAX_RATES[order.currency]).quantize(Decimal("0.01")),
            order_number=order.number,
        )
        if order.customer_id == reissued and invoice.status is CustomerInvoiceStatus.PAID:
            sample.invoices.append(
                invoice.model_copy(
                    update={
                        "number": invoice_number(order.number, 100005),
                        "status": CustomerInvoiceStatus.CANCELLED,
                        "invoice_date": invoice.invoice_date - timedelta(days=1),
                    }
                )
            )
        sample.invoices.append(invoice)
    for index, customer in enumerate(sample.customers):
        _subscribe(rng, sample, index, customer)


def _subscribe(rng: random.Random, sample: SalesSample, index: int, customer: str) -> None:
    if index % 7 == 6:
        return
    start = date(2024, 1 + rng.randint(0, 11), 1 + rng.randint(0, 27))
    support = Subscription(
        id=f"SUB-{len(sample.subscriptions) + 1:04d}",
        customer_id=customer,
        plan=SUPPORT_PLAN,
        status=SubscriptionStatus.ACTIVE,
        billing_period=BillingPeriod.MONTHLY,
        start_date=start,
    )
    if index % 3 == 2:
        support = support.model_copy(
            update={
                "status": SubscriptionStatus.CANCELLED,
                "end_date": current_period_end(start, BillingPeriod.MONTHLY, CANCELLED_ON),
                "cancellation_reason": "no longer needed",
            }
        )
    sample.subscriptions.append(support)
    if index % 3 == 1:
        sample.subscriptions.append(
            Subscription(
                id=f"SUB-{len(sample.subscriptions) + 1:04d}",
                customer_id=customer,
                plan=PROTECTION_PLAN,
                status=SubscriptionStatus.ACTIVE,
                billing_period=BillingPeriod.ANNUAL,
                start_date=start + timedelta(days=rng.randint(10, 90)),
            )
        )
