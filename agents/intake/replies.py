"""Reply wording for resolutions: the greeting and what a customer is told about an order."""

from __future__ import annotations

from connectors.crm.models import Contact
from connectors.erp.sales import Delivery, DeliveryStatus, SalesOrder, SalesOrderStatus


def greeting(contact: Contact | None) -> str:
    return f"Hello {contact.first_name or contact.full_name}," if contact else "Hello,"


def _shipment(delivery: Delivery) -> str:
    carrier = delivery.carrier or "our carrier"
    tracking = f" (tracking {delivery.tracking})" if delivery.tracking else ""
    if delivery.status is DeliveryStatus.DELIVERED:
        return f"shipped with {carrier} on {delivery.shipped_date}{tracking} and delivered on {delivery.delivered_date}"
    if delivery.status is DeliveryStatus.SHIPPED:
        return f"is on its way with {carrier}{tracking}, shipped on {delivery.shipped_date}"
    return "is being picked and packed in our warehouse"


def delivery_text(order: SalesOrder, deliveries: list[Delivery]) -> str:
    """One paragraph: the order's state and every shipment with carrier, tracking and dates."""
    name = f"Your order {order.number}"
    items = ", ".join(line.description for line in order.lines[:2]) + (
        ", ..." if len(order.lines) > 2 else ""
    )
    about = f"{name} ({items})" if items else name
    if order.status is SalesOrderStatus.CANCELLED:
        return f"{about} was cancelled, so nothing will be shipped or charged for it."
    if not deliveries:
        return (
            f"{about} has been received and has not shipped yet; we will send tracking details when it does."
        )
    if len(deliveries) == 1:
        return f"{about}: the shipment {_shipment(deliveries[0])}."
    parts = [f"shipment {n} {_shipment(d)}" for n, d in enumerate(deliveries, start=1)]
    state = "complete" if order.status is SalesOrderStatus.DELIVERED else "partly shipped"
    return f"{about} is {state}: " + "; ".join(parts) + "."
