"""Vendor-neutral customer billing records: customer invoices, their printable copies, subscriptions.

The customer-intake agent sends invoice copies and cancels subscriptions from these. An invoice's
number is what the customer sees printed (SAP billing document, NetSuite invoice ``tranId``); a
subscription's id is the ERP's own. Cancelling a subscription never cuts service short: it stops
the renewal, so the subscription ends on the last day of the billing period running on the day of
the cancellation (`current_period_end`). Every implementation computes that day the same way.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from connectors.erp.models import check_currency

CANCEL_REASON_MAX = 40
"""A cancellation reason must fit the narrowest store (SAP's 40-character text field)."""
PDF_MEDIA_TYPE = "application/pdf"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomerInvoiceStatus(StrEnum):
    OPEN = "open"
    """Posted and not (fully) paid."""
    PAID = "paid"
    """Cleared by the customer's payment."""
    CANCELLED = "cancelled"
    """Reversed (SAP cancellation document, NetSuite void): not a valid copy to send."""


class CustomerInvoice(_Record):
    """An outgoing invoice (SAP billing document type F2, NetSuite ``invoice``)."""

    number: str
    customer_id: str
    status: CustomerInvoiceStatus
    currency: str
    invoice_date: date
    net_amount: Decimal
    tax_amount: Decimal = Decimal("0")
    order_number: str | None = None
    """The sales order it bills, when it bills one."""

    _currency = field_validator("currency")(check_currency)

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.tax_amount


class InvoiceCopy(_Record):
    """A copy of an invoice for the customer: the PDF itself, or where to find it.

    SAP renders the PDF (API_BILLING_DOCUMENT_SRV ``GetPDF``); NetSuite's REST API prints nothing,
    so its adapter answers with a reference to the record instead. Exactly one of the two is set.
    """

    invoice_number: str
    filename: str
    media_type: str = PDF_MEDIA_TYPE
    content: bytes | None = None
    reference: str | None = None
    """A URL or document reference a person (or a customer portal) opens to get the copy."""

    @model_validator(mode="after")
    def _content_or_reference(self) -> InvoiceCopy:
        if (self.content is None) == (self.reference is None):
            raise ValueError("an invoice copy holds either the document content or a reference to it")
        return self


class BillingPeriod(StrEnum):
    MONTHLY = "monthly"
    ANNUAL = "annual"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    """Renews at the end of every billing period."""
    CANCELLED = "cancelled"
    """Will not renew: service ends on `Subscription.end_date` (which may already be past)."""


class Subscription(_Record):
    """A recurring plan a customer is billed for."""

    id: str
    customer_id: str
    plan: str
    """The plan's name as the customer knows it (e.g. "Premium support plan")."""
    status: SubscriptionStatus
    billing_period: BillingPeriod
    start_date: date
    end_date: date | None = None
    """Last day of service; None while the subscription renews."""
    cancellation_reason: str | None = None


def cancel_reason_problem(reason: str) -> str | None:
    """Why `reason` cannot be stored with a cancellation, or None when it can."""
    if not reason.strip() or len(reason) > CANCEL_REASON_MAX:
        return f"cancellation reason must be 1-{CANCEL_REASON_MAX} characters, got {len(reason)}"
    return None


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def current_period_end(start: date, period: BillingPeriod, on: date) -> date:
    """Last day of the billing period that contains `on` (the first period when `on` is earlier).

    Periods start on the start date's day of the month (clamped to short months), every month or
    every twelve months, always counted from `start` so a 31st never drifts to the 28th.
    """
    step = 1 if period is BillingPeriod.MONTHLY else 12
    count = 1
    if on >= start:
        count = ((on.year - start.year) * 12 + on.month - start.month) // step
        while _add_months(start, count * step) <= on:
            count += 1
        count = max(count, 1)
    return _add_months(start, count * step) - timedelta(days=1)


def text_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF 1.4 showing `lines` in Helvetica: enough for a readable invoice copy.

    Characters outside Latin-1 become "?"; PDF string delimiters are escaped.
    """

    def escape(line: str) -> str:
        text = line.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 56 800 Td {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def invoice_lines(invoice: CustomerInvoice, customer_name: str | None = None) -> list[str]:
    """The text of an invoice copy, the same in every implementation that renders one."""
    return [
        f"INVOICE {invoice.number}",
        f"Date: {invoice.invoice_date.isoformat()}",
        f"Customer: {customer_name or invoice.customer_id} ({invoice.customer_id})",
        *([f"Sales order: {invoice.order_number}"] if invoice.order_number else []),
        f"Net amount: {invoice.net_amount:.2f} {invoice.currency}",
        f"Tax: {invoice.tax_amount:.2f} {invoice.currency}",
        f"Total: {invoice.gross_amount:.2f} {invoice.currency}",
        f"Status: {invoice.status.value}",
    ]
