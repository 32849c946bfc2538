"""Standard resolutions: look the facts up, draft the reply, and name the one governed write (if any).

Planning is pure reading; the agent submits the planned action through the Governor and picks
the reply that matches the outcome. A customer only ever hears about their own orders and
invoices: a number that belongs to another account is a mismatch, never disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agents.intake.config import Resolution
from agents.intake.orders import DeliveryStatus, OrderConnector, SalesOrder
from agents.intake.understanding import Entities
from connectors.crm.models import Account, Address, Contact
from connectors.errors import NotFoundError


@dataclass(frozen=True)
class PlannedWrite:
    """One governed write the resolution needs (besides case updates and the reply)."""

    system_kind: str
    """"crm" or "erp": which connection the agent sends it to."""
    operation: str
    target: str
    params: dict[str, Any]
    business_key: str
    amount: Decimal | None = None
    currency: str | None = None
    counterparty: str | None = None


@dataclass(frozen=True)
class ResolutionPlan:
    reply_done: str
    """The reply when the write executed (or there is no write)."""
    reply_held: str = ""
    """The reply when the write waits for approval."""
    write: PlannedWrite | None = None
    problem: str | None = None
    """Why this cannot be resolved automatically (the agent escalates with it)."""
    summary: str = ""


def _order(orders: OrderConnector, number: str, account: Account) -> SalesOrder | None:
    try:
        order = orders.get_order(number)
    except NotFoundError:
        return None
    return order if order.account_number == account.account_number else None


def _status_text(order: SalesOrder) -> str:
    d = order.delivery
    if d.status is DeliveryStatus.DELIVERED:
        return f"was delivered by {d.carrier} on {d.expected_on} (tracking {d.tracking_number})"
    if d.status is DeliveryStatus.IN_TRANSIT:
        return f"is on its way with {d.carrier} (tracking {d.tracking_number}), expected on {d.expected_on}"
    return f"has not shipped yet; we expect to deliver it by {d.expected_on}"


def plan(
    resolution: Resolution,
    *,
    entities: Entities,
    account: Account,
    contact: Contact | None,
    orders: OrderConnector,
    case_key: str,
) -> ResolutionPlan:
    greeting = f"Hello {contact.first_name or contact.full_name}," if contact else "Hello,"
    if resolution is Resolution.ORDER_STATUS:
        number = entities.order_numbers[0]
        order = _order(orders, number, account)
        if order is None:
            return ResolutionPlan("", problem=f"order {number} not found on account {account.account_number}")
        return ResolutionPlan(
            f"{greeting}\n\nYour order {order.number} ({order.description}) {_status_text(order)}.",
            summary=f"order status {order.number}: {order.delivery.status.value}",
        )
    if resolution is Resolution.INVOICE_COPY:
        invoice = None
        for number in entities.invoice_numbers:
            invoice = orders.find_invoice(number)
            if invoice is not None:
                break
        if invoice is None and entities.order_numbers:
            invoice = orders.find_invoice_for_order(entities.order_numbers[0])
        wanted = (entities.invoice_numbers + entities.order_numbers)[0]
        if invoice is None or invoice.account_number != account.account_number:
            return ResolutionPlan(
                "", problem=f"invoice for {wanted} not found on account {account.account_number}"
            )
        return ResolutionPlan(
            f"{greeting}\n\nPlease find a copy of invoice {invoice.number} for order {invoice.order_number} "
            f"({invoice.amount} {invoice.currency}, issued {invoice.issued_on}) in your customer portal; "
            "we have also sent it to the e-mail address registered for your account.",
            summary=f"invoice copy {invoice.number}",
        )
    if resolution is Resolution.CHANGE_ADDRESS:
        if contact is None:
            return ResolutionPlan("", problem="the sender is not a known contact of the account")
        new = entities.addresses[0]
        old = contact.mailing_address or Address()
        address = Address(
            street=new.street,
            city=new.city or old.city,
            region=old.region if new.city is None else None,
            postal_code=new.postal_code or old.postal_code,
            country=old.country,
        )
        return ResolutionPlan(
            f"{greeting}\n\nWe have updated your address to {new.street}"
            + (f", {address.postal_code} {address.city}" if address.city else "")
            + ". Orders not yet shipped will go to the new address.",
            write=PlannedWrite(
                "crm",
                "crm.update_contact",
                contact.id,
                {"update": {"mailing_address": address.model_dump(exclude_none=True)}},
                f"address:{case_key}",
            ),
            summary=f"mailing address of {contact.full_name} changed to {new.street}",
        )
    if resolution is Resolution.CREDIT_MEMO:
        number = entities.order_numbers[0]
        order = _order(orders, number, account)
        if order is None:
            return ResolutionPlan("", problem=f"order {number} not found on account {account.account_number}")
        money = entities.amounts[0]
        if money.currency != order.currency:
            return ResolutionPlan(
                "", problem=f"refund asked in {money.currency}, order {number} is in {order.currency}"
            )
        if money.amount > order.total:
            return ResolutionPlan("", problem=f"refund {money.amount} exceeds order total {order.total}")
        return ResolutionPlan(
            f"{greeting}\n\nWe have issued a credit of {money.amount} {money.currency} for order {order.number}. "
            "It will reach your original payment method within 5 business days.",
            reply_held=f"{greeting}\n\nYour refund request of {money.amount} {money.currency} for order "
            f"{order.number} has been passed to our team for approval. We will confirm shortly.",
            write=PlannedWrite(
                "erp",
                "erp.create_credit_memo",
                order.number,
                {"order_number": order.number, "reason": "customer refund request via intake"},
                f"credit:{case_key}:{order.number}",
                amount=money.amount,
                currency=money.currency,
                counterparty=account.account_number,
            ),
            summary=f"credit {money.amount} {money.currency} on {order.number}",
        )
    raise ValueError(f"{resolution.value!r} is not an automatic resolution")
