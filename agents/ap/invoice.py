"""The extracted invoice: every fact with its confidence and the evidence it was read from.

This is the contract between ingestion/extraction (`agents.ap.ingest`, `agents.ap.extract`) and the
three-way matcher. A field that could not be found has ``value=None`` and ``confidence=0.0``; a field
read from structured XML carries confidence 1.0 and the XML path as its evidence text; a field read
from a PDF carries the page number and the bounding box (PDF points, ``x0, top, x1, bottom`` with the
origin at the top-left of the page, as pdfplumber reports them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from agents.errors import AgentError

T = TypeVar("T")

SourceKind = Literal["pdf", "ubl", "cii", "json", "csv"]
DocumentType = Literal["invoice", "credit_note"]
RejectReason = Literal["scanned_no_text", "encrypted", "corrupt", "oversized", "unsupported_format", "empty"]


class Evidence(BaseModel):
    """Where in the input a value was read."""

    model_config = ConfigDict(frozen=True)

    page: int | None = None
    """1-based page number for PDFs; None for XML/JSON/CSV."""
    bbox: tuple[float, float, float, float] | None = None
    """``(x0, top, x1, bottom)`` in PDF points from the page's top-left corner; None outside PDFs."""
    text: str
    """The words as printed (PDF), or the element path / column name and raw value (XML, JSON, CSV)."""
    source: SourceKind
    """Which kind of input the evidence comes from."""


class Field(BaseModel, Generic[T]):
    """One extracted value with how sure the extractor is and why."""

    model_config = ConfigDict(frozen=True)

    value: T | None = None
    """The normalised value (ISO date, Decimal, upper-case codes), or None when not found."""
    confidence: float = PydanticField(default=0.0, ge=0.0, le=1.0)
    """Probability-like score in 0..1: 1.0 for structured sources, lower when read from weak evidence."""
    evidence: Evidence | None = None
    """Where the value was read; None when the field was not found."""

    @classmethod
    def missing(cls) -> Field[T]:
        """A field the document does not state (or the extractor could not find)."""
        return cls(value=None, confidence=0.0, evidence=None)


class ExtractedLine(BaseModel):
    """One invoice line as printed; amounts are net of tax."""

    model_config = ConfigDict(frozen=True)

    description: Field[str]
    quantity: Field[Decimal]
    unit: Field[str]
    """Unit of measure as printed (EA, H, PAK...) or the UN/ECE Rec 20 code from XML."""
    unit_price: Field[Decimal]
    amount: Field[Decimal]
    """Net line amount."""
    po_line: Field[str]
    """The purchase-order line this invoice line bills, when the document says so."""


LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "amount", "po_line")
"""The per-line field names, for iterating over an `ExtractedLine`."""

HEADER_FIELDS = (
    "vendor_name",
    "vendor_tax_id",
    "invoice_number",
    "po_number",
    "currency",
    "iban",
    "invoice_date",
    "due_date",
    "subtotal",
    "tax",
    "total",
)
"""The header field names of an `ExtractedInvoice`."""


class TaxSubtotal(BaseModel):
    """One VAT breakdown row (EN 16931 BG-23): category, rate, taxable base and tax amount."""

    model_config = ConfigDict(frozen=True)

    category: str | None = None
    """VAT category code (BT-118: S, Z, E, AE, K, G, O, L, M)."""
    rate: Decimal | None = None
    """Rate in percent (BT-119); None when the document does not state one."""
    base: Decimal | None = None
    """Taxable amount (BT-116)."""
    amount: Decimal | None = None
    """Tax amount (BT-117)."""
    evidence: Evidence | None = None


def _missing_decimal() -> Field[Decimal]:
    return Field[Decimal].missing()


def _missing_text() -> Field[str]:
    return Field[str].missing()


class ExtractedInvoice(BaseModel):
    """An invoice or credit note as read from one file; amounts are positive for credit notes too."""

    model_config = ConfigDict(frozen=True)

    source_file: str
    """The path of the file read, as given to `read_invoice`."""
    source_kind: SourceKind
    document_type: DocumentType
    document_type_confidence: float = PydanticField(default=1.0, ge=0.0, le=1.0)
    """How sure `document_type` is: 1.0 where the source states it (a UBL root element, a CII
    type code); read from a page, what its title and its total's sign support (`document_kind`)."""
    vendor_name: Field[str]
    vendor_tax_id: Field[str]
    """VAT id with its country prefix (``DE811569869``) or US EIN (``36-1150280``), without spaces."""
    invoice_number: Field[str]
    po_number: Field[str]
    currency: Field[str]
    """ISO 4217 code; symbols are mapped (``€`` → EUR)."""
    iban: Field[str]
    """Compact upper-case IBAN; confidence is lowered when the mod-97 check fails."""
    invoice_date: Field[date]
    due_date: Field[date]
    subtotal: Field[Decimal]
    """Total without tax (EN 16931 BT-109)."""
    tax: Field[Decimal]
    """Total tax amount (BT-110)."""
    total: Field[Decimal]
    """Total with tax (BT-112)."""
    amount_due: Field[Decimal] = PydanticField(default_factory=lambda: Field[Decimal].missing())
    """Amount due for payment (BT-115): the total less prepaid amounts, as printed. Not in
    `HEADER_FIELDS` (many sources do not state it separately; the matcher gates on `total`)."""
    lines: tuple[ExtractedLine, ...] = ()
    allowance_total: Field[Decimal] = PydanticField(default_factory=_missing_decimal)
    """Document-level allowances (BT-107, the sum of BG-20), subtracted from the line total."""
    charge_total: Field[Decimal] = PydanticField(default_factory=_missing_decimal)
    """Document-level charges (BT-108, the sum of BG-21), added to the line total."""
    prepaid: Field[Decimal] = PydanticField(default_factory=_missing_decimal)
    """Amount already paid (BT-113)."""
    payable: Field[Decimal] = PydanticField(default_factory=_missing_decimal)
    """Amount due for payment (BT-115) = total − prepaid (+ rounding)."""
    tax_breakdown: tuple[TaxSubtotal, ...] = ()
    """VAT breakdown per category and rate (BG-23)."""
    bank_account: Field[str] = PydanticField(default_factory=_missing_text)
    """A domestic account number (BT-84 when it is not an IBAN): UK or US account, digits only."""
    bank_code: Field[str] = PydanticField(default_factory=_missing_text)
    """The domestic bank code beside it (BT-86 branch): UK sort code, US ABA routing number."""
    preceding_invoice: Field[str] = PydanticField(default_factory=_missing_text)
    """For a credit note: the invoice it corrects (BT-25)."""
    warnings: tuple[str, ...] = ()
    """Human-readable reasons why some values are less certain (failed cross-checks, bad checksums)."""

    def min_confidence(self, fields: Iterable[str]) -> float:
        """The lowest confidence among the named header fields.

        The name ``"lines"`` stands for every field of every line except ``unit`` and ``po_line``
        (which invoices often leave out); an invoice without lines scores 0.0 for it.
        """
        lowest = 1.0
        for name in fields:
            if name == "lines":
                if not self.lines:
                    return 0.0
                for line in self.lines:
                    for line_field in ("description", "quantity", "unit_price", "amount"):
                        lowest = min(lowest, getattr(line, line_field).confidence)
            elif name in HEADER_FIELDS:
                lowest = min(lowest, getattr(self, name).confidence)
            else:
                raise ValueError(f"unknown invoice field {name!r}; known: {', '.join(HEADER_FIELDS)}, lines")
        return lowest


class IngestionRejected(AgentError):
    """The file cannot be read as an invoice; the reason code says why, the message names the file."""

    def __init__(self, reason_code: RejectReason, path: str, problem: str) -> None:
        self.reason_code: RejectReason = reason_code
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem} ({reason_code})")
