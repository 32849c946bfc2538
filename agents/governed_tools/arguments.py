"""The arguments a model fills for each operation's tool: the names performers read and policy guards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- directory -----------------------------------------------------------------------------------


class UserTicketArgs(_Args):
    user_id: str = Field(min_length=1, description="Directory id of the person the ticket is about")
    ticket: str = Field(min_length=1, description="The ticket number this action fulfils")


class ResetPasswordArgs(UserTicketArgs):
    send_email: bool = Field(default=True, description="Let the directory e-mail the reset link itself")


class GroupMembershipArgs(UserTicketArgs):
    group_id: str = Field(min_length=1, description="Directory id of the group")
    group_name: str = Field(
        min_length=1,
        description="The group's name exactly as the directory spells it (checked against the id)",
    )


# --- ITSM ----------------------------------------------------------------------------------------


class TicketTextArgs(_Args):
    ticket: str = Field(min_length=1, description="Ticket number")
    body: str = Field(min_length=1, description="The text to add")


class AssignArgs(_Args):
    ticket: str = Field(min_length=1, description="Ticket number")
    group: str = Field(min_length=1, description="Assignment group name")


class ResolveArgs(_Args):
    ticket: str = Field(min_length=1, description="Ticket number")
    close_code: str = Field(min_length=1, description="Close code, e.g. 'solved'")
    close_notes: str = Field(min_length=1, description="What was done, for the caller")


class CatalogRequestArgs(_Args):
    ticket: str = Field(min_length=1, description="The ticket the request fulfils")
    item: str = Field(min_length=1, description="Catalogue item name")
    requested_for: str = Field(min_length=1, description="Directory login of the person it is for")
    short_description: str = Field(min_length=1)
    description: str = ""


# --- CRM -----------------------------------------------------------------------------------------


class CreateCaseArgs(_Args):
    subject: str = Field(min_length=1, max_length=255)
    description: str | None = None
    priority: Literal["low", "medium", "high"] = "medium"
    account_id: str | None = None
    contact_id: str | None = None
    owner_queue: str | None = None
    source_id: str = Field(min_length=1, description="The message or conversation this case is for")


class UpdateCaseArgs(_Args):
    case_id: str = Field(min_length=1)
    status: str | None = Field(default=None, description="new, working, escalated, closed")
    priority: Literal["low", "medium", "high"] | None = None
    owner_queue: str | None = None
    description: str | None = None


class CaseCommentArgs(_Args):
    case_id: str = Field(min_length=1)
    body: str = Field(min_length=1)
    public: bool = Field(default=False, description="Visible to the customer")


class SendReplyArgs(_Args):
    case_id: str = Field(min_length=1)
    body: str = Field(min_length=1, description="The reply the customer receives")
    to: str | None = Field(default=None, description="Recipient address (the case contact when omitted)")


class UpdateContactArgs(_Args):
    contact_id: str = Field(min_length=1)
    phone: str | None = None


# --- ERP -----------------------------------------------------------------------------------------


class InvoiceLineArgs(_Args):
    description: str = ""
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    po_id: str | None = None
    po_line: str | None = None


class PostInvoiceArgs(_Args):
    vendor_id: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="The supplier's invoice number")
    invoice_date: date
    currency: str = Field(min_length=3, max_length=3)
    gross_amount: Decimal
    tax_amount: Decimal = Decimal("0")
    lines: list[InvoiceLineArgs] = Field(default_factory=list)


class PostCreditMemoArgs(PostInvoiceArgs):
    credit_for: str = Field(
        min_length=1, description="The ERP id of the posted invoice this credit note credits"
    )


class InvoiceVendorArgs(_Args):
    invoice_id: str = Field(min_length=1)
    vendor_id: str = Field(min_length=1, description="The invoice's vendor (checked against the ERP)")


class HoldInvoiceArgs(InvoiceVendorArgs):
    reason: str = Field(min_length=1, max_length=25, description="Payment block reason (max 25 characters)")


class SchedulePaymentArgs(InvoiceVendorArgs):
    amount: Decimal = Field(description="The invoice's gross amount (checked against the ERP)")
    currency: str = Field(min_length=3, max_length=3)
    payment_date: date
    bank_accounts: list[str] = Field(
        min_length=1, description="The vendor's IBANs or account numbers on file"
    )


class SpendCategoryArgs(_Args):
    line_id: str = Field(min_length=1)
    category: str = Field(min_length=1, description="Taxonomy code")


class POStatusArgs(_Args):
    po_id: str = Field(min_length=1)
    vendor_id: str = Field(min_length=1, description="The order's vendor (checked against the ERP)")
    status: Literal["open", "closed"]
    follow_up: str | None = None


class UpdateVendorArgs(_Args):
    vendor_id: str = Field(min_length=1)
    tax_id: str | None = None
    iban: str | None = None
    bank_code: str | None = None


class BlockVendorArgs(_Args):
    vendor_id: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class MergeVendorsArgs(_Args):
    survivor_id: str = Field(min_length=1)
    duplicates: list[str] = Field(min_length=1)


class CreditMemoArgs(_Args):
    customer_id: str = Field(min_length=1)
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal = Field(gt=0)
    reason: str = Field(min_length=1)
    reference: str | None = Field(default=None, description="The invoice or order the credit relates to")
    case_id: str = Field(min_length=1, description="The case this credit settles (one credit per case)")


class CancelSubscriptionArgs(_Args):
    subscription_id: str = Field(min_length=1)
    customer_id: str = Field(
        min_length=1, description="The subscription's customer (checked against the ERP)"
    )
    reason: str = Field(min_length=1)
