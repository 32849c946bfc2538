"""Plain invoice facts for matching, read from an `ExtractedInvoice`.

The matcher needs values, not evidence; the evidence stays in the `ExtractedInvoice` for the
case file. Lines are sorted into goods (bill a PO line), charges (freight, packaging) and
discounts by their wording, since invoices rarely mark them any other way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from agents.ap.bank_accounts import StatedAccount, split_account
from agents.ap.invoice import ExtractedInvoice, ExtractedLine, TaxSubtotal

_CHARGE_WORDS = re.compile(
    r"\b(freight|shipping|delivery charge|carriage|postage|packaging|handling|fracht|versand|"
    r"verpackung|porto|frais de port|transport|emballage|verzendkosten|envío|spedizione)\b",
    re.IGNORECASE,
)
_DISCOUNT_WORDS = re.compile(
    r"\b(discount|rebate|rabatt|skonto|nachlass|remise|korting|descuento|sconto)\b", re.I
)


class LineKind(StrEnum):
    GOODS = "goods"
    CHARGE = "charge"
    DISCOUNT = "discount"


@dataclass(frozen=True)
class LineFacts:
    index: int
    """Position on the invoice, 0-based."""
    kind: LineKind
    description: str
    quantity: Decimal | None
    unit: str | None
    unit_price: Decimal | None
    amount: Decimal | None
    po_line: str | None


@dataclass(frozen=True)
class InvoiceFacts:
    """What the invoice states; None where the document does not say."""

    is_credit_note: bool
    vendor_name: str | None
    vendor_tax_id: str | None
    invoice_number: str | None
    po_number: str | None
    currency: str | None
    iban: str | None
    invoice_date: date | None
    due_date: date | None
    subtotal: Decimal | None
    tax: Decimal | None
    total: Decimal | None
    lines: tuple[LineFacts, ...]
    allowances: Decimal = Decimal(0)
    """Document-level allowances (BT-107)."""
    charges: Decimal = Decimal(0)
    """Document-level charges (BT-108)."""
    prepaid: Decimal = Decimal(0)
    payable: Decimal | None = None
    tax_breakdown: tuple[TaxSubtotal, ...] = ()
    bank_account: str | None = None
    bank_code: str | None = None
    preceding_invoice: str | None = None

    @property
    def stated_account(self) -> StatedAccount:
        return StatedAccount(iban=self.iban, account_number=self.bank_account, bank_code=self.bank_code)

    @property
    def goods_lines(self) -> list[LineFacts]:
        return [line for line in self.lines if line.kind is LineKind.GOODS]

    def signed(self, amount: Decimal) -> Decimal:
        return -amount if self.is_credit_note else amount


def _kind(line: ExtractedLine) -> LineKind:
    text = line.description.value or ""
    if line.po_line.value:
        return LineKind.GOODS
    if _DISCOUNT_WORDS.search(text):
        return LineKind.DISCOUNT
    if _CHARGE_WORDS.search(text):
        return LineKind.CHARGE
    return LineKind.GOODS


def _account(invoice: ExtractedInvoice) -> StatedAccount:
    """The payee account; an "IBAN" field holding a domestic account (``60-16-13 31926819``) is
    read as one, since inbox formats and PDFs put whatever account is printed there."""
    if invoice.bank_account.value is not None or invoice.iban.value is None:
        return StatedAccount(
            iban=_compact(invoice.iban.value),
            account_number=invoice.bank_account.value,
            bank_code=invoice.bank_code.value,
        )
    return split_account(invoice.iban.value, None)


def facts_from(invoice: ExtractedInvoice) -> InvoiceFacts:
    account = _account(invoice)
    lines = tuple(
        LineFacts(
            index=index,
            kind=_kind(line),
            description=line.description.value or "",
            quantity=line.quantity.value,
            unit=line.unit.value,
            unit_price=line.unit_price.value,
            amount=line.amount.value,
            po_line=_po_line(line.po_line.value),
        )
        for index, line in enumerate(invoice.lines)
    )
    return InvoiceFacts(
        is_credit_note=invoice.document_type == "credit_note",
        vendor_name=invoice.vendor_name.value,
        vendor_tax_id=_compact(invoice.vendor_tax_id.value),
        invoice_number=invoice.invoice_number.value,
        po_number=_compact(invoice.po_number.value),
        currency=(invoice.currency.value or "").upper() or None,
        iban=account.iban,
        invoice_date=invoice.invoice_date.value,
        due_date=invoice.due_date.value,
        subtotal=invoice.subtotal.value,
        tax=invoice.tax.value,
        total=invoice.total.value,
        lines=lines,
        allowances=invoice.allowance_total.value or Decimal(0),
        charges=invoice.charge_total.value or Decimal(0),
        prepaid=invoice.prepaid.value or Decimal(0),
        payable=invoice.payable.value,
        tax_breakdown=invoice.tax_breakdown,
        bank_account=account.account_number,
        bank_code=account.bank_code,
        preceding_invoice=invoice.preceding_invoice.value,
    )


def _compact(value: str | None) -> str | None:
    if value is None:
        return None
    text = re.sub(r"[\s]", "", value).upper()
    return text or None


def _po_line(value: str | None) -> str | None:
    """PO line references as printed ("10", "00010", "line 1") to the ERP's spelling ("10", "1")."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    return str(int(digits)) if digits else value.strip()
