"""Standard resolutions: look the facts up in the ERP, draft the reply, name the one governed write.

Planning is pure reading (`OrderBook` over `CustomerERP`); the agent submits the planned action
through the Governor and picks the reply that matches the outcome. A customer only ever hears
about their own orders, invoices and subscriptions: a number that belongs to another account is
a mismatch, never disclosed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from agents.core import ProposedAction
from agents.intake.config import Resolution
from agents.intake.orders import OrderBook
from agents.intake.replies import delivery_text, greeting
from agents.intake.understanding import Entities
from connectors.crm.models import Account, Address, Contact
from connectors.erp.billing import CustomerInvoice, CustomerInvoiceStatus, Subscription

CREDIT_REASON = "customer refund request via intake"
CANCEL_REASON = "customer request via intake"
_GENERIC_WORDS = {"plan", "subscription", "the", "my", "monthly", "annual", "of", "and"}


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

    def proposed(self) -> ProposedAction:
        return ProposedAction(
            kind=self.system_kind,
            operation=self.operation,
            target=self.target,
            params=self.params,
            amount=self.amount,
            currency=self.currency,
            counterparty=self.counterparty,
            business_key=self.business_key,
        )


@dataclass(frozen=True)
class ReplyAttachment:
    """A file sent with the reply (its bytes stay out of the ledger; the action carries its digest)."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class ResolutionPlan:
    reply_done: str
    """The reply when the write executed (or there is no write)."""
    reply_held: str = ""
    """The reply when the write waits for approval."""
    write: PlannedWrite | None = None
    problem: str | None = None
    """Why this cannot be resolved automatically (the agent escalates with it)."""
    ask: tuple[str, ...] = ()
    """Facts to ask the customer for first (question slots of the catalogue)."""
    summary: str = ""
    attachments: tuple[ReplyAttachment, ...] = ()
    reply_after: Callable[[], str] | None = None
    """Builds the reply from what the ERP holds once the write executed (e.g. its end date)."""


def _problem(text: str) -> ResolutionPlan:
    return ResolutionPlan("", problem=text)


def plan(
    resolution: Resolution,
    *,
    entities: Entities,
    account: Account,
    contact: Contact | None,
    book: OrderBook,
    case_key: str,
    text: str = "",
) -> ResolutionPlan:
    hello = greeting(contact)
    customer = account.account_number or account.id
    if resolution is Resolution.ORDER_STATUS:
        number = entities.order_numbers[0]
        order = book.order(number, customer)
        if order is None:
            return _problem(f"order {number} not found on account {customer}")
        return ResolutionPlan(
            f"{hello}\n\n{delivery_text(order, book.deliveries(order))}",
            summary=f"order status {order.number}: {order.status.value}",
        )
    if resolution is Resolution.INVOICE_COPY:
        return _invoice_copy(entities, customer, book, hello)
    if resolution is Resolution.CHANGE_ADDRESS:
        return _change_address(entities, contact, case_key, hello)
    if resolution is Resolution.CREDIT_MEMO:
        return _credit(entities, customer, book, case_key, hello)
    if resolution is Resolution.CANCEL_SUBSCRIPTION:
        return _cancel(customer, book, case_key, hello, text)
    raise ValueError(f"{resolution.value!r} is not an automatic resolution")


def _invoice_copy(entities: Entities, customer: str, book: OrderBook, hello: str) -> ResolutionPlan:
    invoice: CustomerInvoice | None = None
    for number in entities.invoice_numbers:
        invoice = book.invoice(number, customer)
        if invoice is not None:
            break
    if invoice is None and entities.order_numbers:
        order = book.order(entities.order_numbers[0], customer)
        if order is None:
            return _problem(f"order {entities.order_numbers[0]} not found on account {customer}")
        invoices = book.invoices_for(order)
        if not invoices:
            return ResolutionPlan(
                f"{hello}\n\nOrder {order.number} has not been invoiced yet; the invoice is issued when it "
                "ships and sent to the billing address on your account.",
                summary=f"order {order.number} not invoiced yet",
            )
        invoice = invoices[-1]
    if invoice is None:
        return _problem(f"invoice {entities.invoice_numbers[0]} not found on account {customer}")
    if invoice.status is CustomerInvoiceStatus.CANCELLED:
        return _problem(f"invoice {invoice.number} was cancelled; a person explains what replaced it")
    copy = book.erp.get_invoice_copy(invoice.number)
    about = (
        f"invoice {invoice.number}"
        + (f" for order {invoice.order_number}" if invoice.order_number else "")
        + f" ({invoice.gross_amount:.2f} {invoice.currency}, issued {invoice.invoice_date})"
    )
    if copy.content is not None:
        return ResolutionPlan(
            f"{hello}\n\nPlease find attached a copy of {about}.",
            summary=f"invoice copy {invoice.number} sent as {copy.filename}",
            attachments=(ReplyAttachment(copy.filename, copy.media_type, copy.content),),
        )
    return ResolutionPlan(
        f"{hello}\n\nA copy of {about} is available in your customer portal; our billing team can also "
        "e-mail it to the address registered for your account.",
        summary=f"invoice copy {invoice.number} referenced ({copy.reference})",
    )


def _change_address(entities: Entities, contact: Contact | None, case_key: str, hello: str) -> ResolutionPlan:
    if contact is None:
        return _problem("the sender is not a known contact of the account")
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
        f"{hello}\n\nWe have updated your address to {new.street}"
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


def _credit(entities: Entities, customer: str, book: OrderBook, case_key: str, hello: str) -> ResolutionPlan:
    number = entities.order_numbers[0]
    order = book.order(number, customer)
    if order is None:
        return _problem(f"order {number} not found on account {customer}")
    money = entities.amounts[0]
    if money.currency != order.currency:
        return _problem(f"refund asked in {money.currency}, order {order.number} is in {order.currency}")
    creditable, invoices = book.creditable(order)
    if not invoices:
        return _problem(f"order {order.number} has not been invoiced, so there is nothing to credit")
    if money.amount > creditable:
        return _problem(f"refund {money.amount} exceeds the {creditable} still creditable on {order.number}")
    memo = {
        "customer_id": customer,
        "currency": money.currency,
        "amount": str(money.amount),
        "reason": CREDIT_REASON,
        "reference": invoices[-1].number,
    }
    return ResolutionPlan(
        f"{hello}\n\nWe have issued a credit of {money.amount} {money.currency} for order {order.number}. "
        "It will reach your original payment method within 5 business days.",
        reply_held=f"{hello}\n\nYour refund request of {money.amount} {money.currency} for order "
        f"{order.number} has been passed to our team for approval. We will confirm shortly.",
        write=PlannedWrite(
            "erp",
            "erp.create_credit_memo",
            order.number,
            {"credit_memo": memo},
            f"credit:{case_key}:{order.number}",
            amount=money.amount,
            currency=money.currency,
            counterparty=customer,
        ),
        summary=f"credit {money.amount} {money.currency} on {order.number} (invoice {invoices[-1].number})",
    )


def _named(subscription: Subscription, text: str) -> bool:
    """True when the customer's text names a distinctive word of the plan ("protection", "premium")."""
    said = set(re.findall(r"[a-z]+", text.lower()))
    return bool((set(re.findall(r"[a-z]+", subscription.plan.lower())) - _GENERIC_WORDS) & said)


def _cancel(customer: str, book: OrderBook, case_key: str, hello: str, text: str) -> ResolutionPlan:
    active = book.active_subscriptions(customer)
    if not active:
        return _problem(f"no active subscription on account {customer}")
    named = [s for s in active if _named(s, text)]
    chosen = named if named else active
    if len(chosen) > 1:
        return ResolutionPlan("", ask=("subscription",))
    subscription = chosen[0]

    def confirmed() -> str:
        ended = book.erp.get_subscription(subscription.id)
        return (
            f"{hello}\n\nYour {ended.plan} is cancelled and will not renew. It stays active until "
            f"{ended.end_date}; there will be no further charges after that."
        )

    return ResolutionPlan(
        f"{hello}\n\nYour {subscription.plan} is cancelled and will not renew; it stays active until the end "
        "of the current billing period, with no further charges after that.",
        reply_held=f"{hello}\n\nYour request to cancel your {subscription.plan} has been passed to our team. "
        "We will confirm shortly.",
        write=PlannedWrite(
            "erp",
            "erp.cancel_subscription",
            subscription.id,
            {"reason": CANCEL_REASON, "customer_id": customer},
            f"cancel:{case_key}:{subscription.id}",
            counterparty=customer,
        ),
        summary=f"{subscription.plan} ({subscription.id}) cancelled at the end of its billing period",
        reply_after=confirmed,
    )
