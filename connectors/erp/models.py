"""Vendor-neutral ERP records: what the AP, spend and vendor-master agents read and write.

Every adapter (SAP S/4HANA, NetSuite, the in-memory fake) translates its wire format into these
frozen models, so agents and governance never see a vendor field name. Money is always a
`Decimal` with an ISO 4217 currency code next to it; dates are calendar dates (the ERPs store
posting and delivery dates without a time of day).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

_CURRENCY = re.compile(r"^[A-Z]{3}$")
HOLD_REASON_MAX = 25
"""A hold reason must fit SAP's document header text (25 characters), the narrowest of the ERPs."""


TAX_ID_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\- ]{2,18}[A-Z0-9]$")
"""VAT number or EIN as ERPs accept it: 4-20 upper-case letters/digits, inner dots, dashes, spaces."""
BLOCK_REASON_MAX = 60
"""A vendor block reason is kept short enough for NetSuite's comments and an SAP long-text line."""


def tax_id_problem(tax_id: str) -> str | None:
    """Why `tax_id` is not a storable VAT/EIN number, or None when it is."""
    if not TAX_ID_PATTERN.fullmatch(tax_id):
        return f"tax id {tax_id!r} must be 4-20 upper-case letters or digits (e.g. 'DE811569869')"
    return None


def block_reason_problem(reason: str) -> str | None:
    """Why `reason` cannot explain a vendor block, or None when it can."""
    if not reason.strip() or len(reason) > BLOCK_REASON_MAX:
        return f"block reason must be 1-{BLOCK_REASON_MAX} characters, got {len(reason)}"
    return None


def hold_reason_problem(reason: str) -> str | None:
    """Why `reason` cannot be an invoice's payment-hold reason, or None when it can."""
    if not reason or len(reason) > HOLD_REASON_MAX:
        return f"hold reason must be 1-{HOLD_REASON_MAX} characters"
    return None


def vendor_search_problem(name: str | None, tax_id: str | None) -> str | None:
    """Why a vendor search cannot run (it names neither a name nor a tax id), or None."""
    if name is None and tax_id is None:
        return "give a name and/or a tax id to search by"
    return None


def spend_category_problem(category: str) -> str | None:
    """Why `category` cannot be written to a spend line (it is blank), or None."""
    if not category.strip():
        return "category code must not be empty"
    return None


def iban_is_valid(iban: str) -> bool:
    """ISO 13616 (country, length, mod-97 and national checks) via schwifty's IBAN registry."""
    try:
        IBAN(iban.replace(" ", "").upper())
    except SchwiftyException:
        return False
    return True


def check_currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise ValueError(f"currency must be an ISO 4217 code such as 'EUR', got {value!r}")
    return value


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BankAccount(_Record):
    """Where a vendor is paid. The IBAN is the key fact for payment-fraud checks."""

    iban: str | None = None
    """International Bank Account Number, no spaces; None for non-IBAN countries (e.g. US)."""
    account_number: str | None = None
    """Domestic account number where there is no IBAN."""
    bank_code: str | None = None
    """SWIFT/BIC or the domestic bank key (routing number, sort code)."""
    country: str | None = None
    """ISO 3166-1 alpha-2 country of the bank."""
    holder: str | None = None
    """Name of the account holder as the bank knows it."""

    @field_validator("iban")
    @classmethod
    def _valid_iban(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not iban_is_valid(value):
            raise ValueError(f"IBAN {value!r} fails the ISO 13616 mod-97 check")
        return value.replace(" ", "").upper()


class Vendor(_Record):
    """A supplier in the vendor master."""

    id: str
    """The ERP's vendor number (SAP supplier, NetSuite internal id)."""
    name: str
    tax_id: str | None = None
    """VAT registration number or EIN as stored in the master."""
    country: str | None = None
    """ISO 3166-1 alpha-2 country of the vendor's address."""
    blocked: bool = False
    """True when posting or payment is blocked for this vendor."""
    bank_accounts: tuple[BankAccount, ...] = ()
    """Bank accounts on file; the first is the one payments go to."""


class PurchaseOrderStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PurchaseOrderLine(_Record):
    """One ordered item on a purchase order."""

    line: str
    """Line number within the order (SAP "10", NetSuite "1")."""
    description: str
    quantity: Decimal
    unit: str
    """Unit of measure as the ERP spells it (EA, PC, KG, H...)."""
    unit_price: Decimal
    """Net price per one unit, in the order currency."""
    delivery_date: date | None = None
    item: str | None = None
    """Material / item id, when the line is for a catalogued item."""
    goods_receipt: bool | None = None
    """Whether an invoice must match a goods receipt (SAP's GR indicator, WEPOS): True is a
    three-way match, False a two-way match (services, subscriptions); None follows the order."""


class PurchaseOrder(_Record):
    id: str
    vendor_id: str
    currency: str
    status: PurchaseOrderStatus
    order_date: date | None = None
    company: str | None = None
    """Company code / subsidiary that placed the order."""
    lines: tuple[PurchaseOrderLine, ...] = ()
    goods_receipt: bool = True
    """The order's default for its lines: three-way (invoice, PO, receipt) or two-way matching."""

    _currency = field_validator("currency")(check_currency)

    def needs_receipt(self, line: PurchaseOrderLine) -> bool:
        """Whether invoices for `line` are matched against goods receipts (three-way)."""
        return self.goods_receipt if line.goods_receipt is None else line.goods_receipt

    def line_by_number(self, line: str) -> PurchaseOrderLine | None:
        return next((candidate for candidate in self.lines if candidate.line == line), None)


class GoodsReceipt(_Record):
    """A received quantity against one PO line; a line may have several receipts."""

    id: str
    """Receipt document id plus item, unique per receipt line."""
    po_id: str
    po_line: str
    quantity: Decimal
    unit: str
    receipt_date: date


class InvoiceStatus(StrEnum):
    POSTED = "posted"
    """Posted and payable."""
    ON_HOLD = "on_hold"
    """Posted but blocked for payment with a reason (SAP payment block and header text, NetSuite
    bill pending approval on payment hold)."""
    AWAITING_RELEASE = "awaiting_release"
    """Posted with a payment block and no hold reason: it waits for the agent's release for payment
    (SAP's post-with-block; the release hands it to the F110 payment run)."""


PAYABLE = frozenset({InvoiceStatus.POSTED})
"""Statuses a payment run may pay."""


class InvoiceLine(_Record):
    """An invoice line, referencing the PO line it bills when there is one."""

    description: str = ""
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    """Net line amount in the invoice currency."""
    po_id: str | None = None
    po_line: str | None = None
    gl_account: str | None = None
    """G/L account of a line not booked against a PO (non-PO invoices)."""
    cost_center: str | None = None
    """Cost centre the G/L line is charged to."""


class InvoiceDraft(_Record):
    """What the AP agent asks the ERP to post. (vendor_id, reference) is the business key."""

    vendor_id: str
    reference: str = Field(min_length=1)
    """The vendor's own invoice number, as printed on the invoice."""
    invoice_date: date
    currency: str
    gross_amount: Decimal
    tax_amount: Decimal = Decimal("0")
    lines: tuple[InvoiceLine, ...] = ()
    hold_reason: str | None = Field(default=None, max_length=HOLD_REASON_MAX)
    """Post the invoice already blocked for payment, with this reason."""
    credit_memo: bool = False
    """A credit memo (EN 16931 type 381 / UBL CreditNote): amounts are positive, the ERP books them
    as a credit (SAP SupplierInvoiceIsCreditMemo, NetSuite vendorCredit)."""
    credit_for: str | None = None
    """The ERP id of the invoice the credit memo reverses in part or in full, when known."""

    _currency = field_validator("currency")(check_currency)


class SupplierInvoice(_Record):
    id: str
    vendor_id: str
    reference: str
    invoice_date: date
    currency: str
    gross_amount: Decimal
    tax_amount: Decimal = Decimal("0")
    status: InvoiceStatus
    hold_reason: str | None = None
    lines: tuple[InvoiceLine, ...] = ()
    credit_memo: bool = False
    credit_for: str | None = None
    created_by: str | None = None
    """The ERP user who entered the document (SAP change document / NetSuite system note)."""
    created_at: datetime | None = None
    released_by: str | None = None
    """Who lifted the payment block / approved the bill last; None while it was never released."""
    released_at: datetime | None = None
    changed_by: str | None = None
    """Who changed the document last (a release, a hold, a cancellation)."""
    changed_at: datetime | None = None


def not_payable_problem(invoice: SupplierInvoice) -> str | None:
    """Why no payment may be scheduled for `invoice` whatever its status (a credit memo), or None."""
    if invoice.credit_memo:
        return f"{invoice.id} is a credit memo, not payable"
    return None


class Payment(_Record):
    """A payment scheduled (proposed) for one posted invoice."""

    id: str
    invoice_id: str
    vendor_id: str
    amount: Decimal
    currency: str
    payment_date: date


class SpendLine(_Record):
    """One line of spend to classify (a purchase order line in both ERPs)."""

    id: str
    """Adapter-specific opaque id; pass it back to `set_spend_category`."""
    vendor_id: str
    vendor_name: str
    description: str
    amount: Decimal
    currency: str
    document_date: date | None = None
    category: str | None = None
    """Spend category code written back by classification (e.g. UNSPSC "43211503")."""
