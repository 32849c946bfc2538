"""The order-to-cash half of the sample company: sales orders, deliveries, invoices, credits, subscriptions.

Customers are the CRM sample's accounts (`connectors.crm.sample_data`), identified by their CRM
account number, so the intake agent can join a CRM account to its ERP records. Every account has
three orders: the first delivered, the second partially delivered or delivered, the third open,
cancelled or delivered, so every status is covered. Delivered orders have a delivered shipment
(large ones two), partially delivered ones a shipment on its way, some open ones a delivery
being picked, cancelled ones none. Most customers buy in EUR, every fifth (from the fourth) in
USD. Three customers already received a credit. Invoices and subscriptions come from
`connectors.erp.sample_billing`. Randomness is seeded.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from connectors.crm.sample_data import build_sample as build_crm_sample
from connectors.erp.sales import (
    CreditMemo,
    Delivery,
    DeliveryStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from connectors.erp.sample_billing import add_billing
from connectors.erp.sample_records import SalesSample

ORDER_START = date(2025, 9, 1)
ORDERS_PER_CUSTOMER = 3
_THIRD_ORDER = (
    SalesOrderStatus.OPEN,
    SalesOrderStatus.CANCELLED,
    SalesOrderStatus.OPEN,
    SalesOrderStatus.DELIVERED,
)
# item, description, unit, (low, high) unit price
_PRODUCTS: list[tuple[str, str, str, tuple[int, int]]] = [
    ("TG-11", "Thermal label printer TLP-400", "EA", (180, 260)),
    ("TG-12", "Thermal labels 100x150 mm, roll of 500", "RL", (9, 14)),
    ("HX-20", "Handheld barcode scanner HX-20", "EA", (120, 190)),
    ("HX-21", "Charging cradle for HX-20", "EA", (35, 55)),
    ("PK-05", "Packing tape 48 mm, case of 36", "CS", (40, 62)),
    ("PK-09", "Shipping cartons 40x30x30, bundle of 25", "BD", (28, 45)),
    ("SV-01", "Annual maintenance plan, per device", "EA", (60, 95)),
    ("RF-30", "Rugged tablet RF-30 with 5-year warranty", "EA", (900, 1400)),
]
_CARRIERS = ("UPS", "FedEx", "DHL Express")


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    digits = 12 if carrier == "FedEx" else 10
    return "".join(rng.choice("0123456789") for _ in range(digits))


def _lines(rng: random.Random) -> tuple[SalesOrderLine, ...]:
    chosen = rng.sample(_PRODUCTS, rng.randint(1, 3))
    return tuple(
        SalesOrderLine(
            line=str((position + 1) * 10),
            description=description,
            quantity=Decimal(rng.choice([1, 2, 3, 5, 10, 20])),
            unit=unit,
            unit_price=Decimal(rng.randint(low * 100, high * 100)) / 100,
            item=item,
        )
        for position, (item, description, unit, (low, high)) in enumerate(chosen)
    )


def order_status(index: int, slot: int) -> SalesOrderStatus:
    """Status of the customer's `slot`-th order (see the module docstring)."""
    if slot == 0:
        return SalesOrderStatus.DELIVERED
    if slot == 1:
        return SalesOrderStatus.PARTIALLY_DELIVERED if index % 2 == 0 else SalesOrderStatus.DELIVERED
    return _THIRD_ORDER[index % len(_THIRD_ORDER)]


def customer_currency(index: int) -> str:
    return "USD" if index % 5 == 3 else "EUR"


def build_sales_sample(seed: int) -> SalesSample:
    rng = random.Random(seed)
    sample = SalesSample()
    accounts = sorted(build_crm_sample().accounts, key=lambda a: a.id)
    sample.customers = [a.account_number or a.id for a in accounts]
    for index, customer in enumerate(sample.customers):
        currency = customer_currency(index)
        for slot in range(ORDERS_PER_CUSTOMER):
            status = order_status(index, slot)
            order = SalesOrder(
                number=f"SO-{100000 + index * 10 + slot}",
                customer_id=customer,
                status=status,
                currency=currency,
                order_date=ORDER_START + timedelta(days=rng.randint(0, 60)),
                lines=_lines(rng),
            )
            sample.orders.append(order)
            _deliver(rng, sample, order)
    for index, customer in enumerate(sample.customers[:3]):
        order = next(o for o in sample.orders if o.customer_id == customer)
        sample.credit_memos.append(
            CreditMemo(
                id=f"CM{index + 1:02d}",
                customer_id=customer,
                currency=order.currency,
                amount=(order.net_amount * Decimal("0.1")).quantize(Decimal("0.01")),
                reason="damaged in transit",
                reference=order.number,
                business_key=f"sample/credit/{index + 1}",
                memo_date=order.order_date + timedelta(days=14),
            )
        )
    add_billing(random.Random(seed + 1), sample)
    return sample


def _deliver(rng: random.Random, sample: SalesSample, order: SalesOrder) -> None:
    if order.status is SalesOrderStatus.CANCELLED:
        return
    if order.status is SalesOrderStatus.OPEN:
        states = [DeliveryStatus.PLANNED] if rng.random() < 0.5 else []
    elif order.status is SalesOrderStatus.PARTIALLY_DELIVERED:
        states = [DeliveryStatus.SHIPPED]
    else:
        states = [DeliveryStatus.DELIVERED] * (2 if len(order.lines) == 3 else 1)
    for offset, state in enumerate(states):
        carrier = rng.choice(_CARRIERS)
        shipped = order.order_date + timedelta(days=rng.randint(1, 4) + 5 * offset)
        delivered = shipped + timedelta(days=rng.randint(1, 4))
        sample.deliveries.append(
            Delivery(
                number=f"DL-{800001 + len(sample.deliveries)}",
                order_number=order.number,
                status=state,
                shipped_date=None if state is DeliveryStatus.PLANNED else shipped,
                delivered_date=delivered if state is DeliveryStatus.DELIVERED else None,
                carrier=carrier,
                tracking=None if state is DeliveryStatus.PLANNED else _tracking(rng, carrier),
            )
        )
