"""The invoices the agent already knows: for duplicate checks and cumulative invoiced quantities.

`ERPConnector` finds an invoice by its exact business key but cannot list a vendor's invoices,
so fuzzy duplicate checks (near-identical number, same amount within days) and "cumulative
invoiced <= received" need a register: seeded from invoices known to be in the ERP, and fed by
every invoice the agent decided to post. It is rebuilt from the ledger's decision records on
start-up, so a restarted agent remembers exactly what it decided before it was killed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from agents.ap.invoice_numbers import normalise_invoice_number
from connectors.erp.models import SupplierInvoice
from governance.ledger import Ledger


@dataclass(frozen=True)
class RegisteredInvoice:
    vendor_id: str
    reference: str
    gross_amount: Decimal
    currency: str
    invoice_date: date
    po_quantities: dict[str, Decimal] = field(default_factory=dict)
    """``"PO001/10" -> quantity billed`` in the PO line's unit."""
    transaction_id: str | None = None
    coding: tuple[tuple[str, str], ...] = ()
    """``(G/L account, cost centre)`` of its lines booked without a PO ("" for no cost centre)."""
    credits: str | None = None
    """For a credit note decided for posting: the reference of the invoice it credits. Credit
    notes are kept apart from invoices (they are no duplicate of the invoice they correct)."""

    @property
    def normalised(self) -> str:
        return normalise_invoice_number(self.reference)

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor_id": self.vendor_id,
            "reference": self.reference,
            "gross_amount": str(self.gross_amount),
            "currency": self.currency,
            "invoice_date": self.invoice_date.isoformat(),
            "po_quantities": {key: str(value) for key, value in self.po_quantities.items()},
            "transaction_id": self.transaction_id,
            "coding": [list(pair) for pair in self.coding],
            **({"credits": self.credits} if self.credits is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegisteredInvoice:
        return cls(
            vendor_id=str(data["vendor_id"]),
            reference=str(data["reference"]),
            gross_amount=Decimal(str(data["gross_amount"])),
            currency=str(data["currency"]),
            invoice_date=date.fromisoformat(str(data["invoice_date"])),
            po_quantities={k: Decimal(str(v)) for k, v in dict(data.get("po_quantities") or {}).items()},
            transaction_id=data.get("transaction_id"),
            coding=tuple((str(gl), str(cc)) for gl, cc in data.get("coding") or ()),
            credits=None if data.get("credits") is None else str(data["credits"]),
        )


def po_key(po_id: str, po_line: str) -> str:
    return f"{po_id}/{po_line}"


class InvoiceRegister:
    """In-memory index over registered invoices; cheap to query per invoice."""

    def __init__(self, invoices: Iterable[RegisteredInvoice] = ()) -> None:
        self._by_vendor: dict[str, list[RegisteredInvoice]] = defaultdict(list)
        self._invoiced: dict[str, Decimal] = defaultdict(Decimal)
        self._transactions: set[str] = set()
        self._credits: dict[tuple[str, str], list[RegisteredInvoice]] = defaultdict(list)
        for invoice in invoices:
            self.add(invoice)

    def add(self, invoice: RegisteredInvoice) -> None:
        if invoice.transaction_id is not None:
            if invoice.transaction_id in self._transactions:
                return
            self._transactions.add(invoice.transaction_id)
        if invoice.credits is not None:
            credited = (invoice.vendor_id, normalise_invoice_number(invoice.credits))
            self._credits[credited].append(invoice)
            return
        self._by_vendor[invoice.vendor_id].append(invoice)
        for key, quantity in invoice.po_quantities.items():
            self._invoiced[key] += quantity

    def for_vendor(self, vendor_id: str) -> list[RegisteredInvoice]:
        return list(self._by_vendor.get(vendor_id, ()))

    def credits_against(self, vendor_id: str, reference: str) -> list[RegisteredInvoice]:
        """The credit notes booked (or decided for booking) against the vendor's invoice `reference`."""
        return list(self._credits.get((vendor_id, normalise_invoice_number(reference)), ()))

    def credit_notes_of(self, vendor_id: str) -> list[RegisteredInvoice]:
        """Every credit note of the vendor the register knows, whichever invoice it credits."""
        return [item for (vendor, _), items in self._credits.items() if vendor == vendor_id for item in items]

    def vendors_with_invoice(self, reference: str) -> list[str]:
        """The vendors having an invoice numbered `reference` (normalised), for a clear hold reason."""
        wanted = normalise_invoice_number(reference)
        return sorted(
            vendor for vendor, items in self._by_vendor.items() if any(i.normalised == wanted for i in items)
        )

    def coding_for(self, vendor_id: str) -> Counter[tuple[str, str]]:
        """How often each (G/L account, cost centre) was used on the vendor's non-PO lines."""
        return Counter(pair for invoice in self._by_vendor.get(vendor_id, ()) for pair in invoice.coding)

    def invoiced_quantity(self, po_id: str, po_line: str) -> Decimal:
        return self._invoiced.get(po_key(po_id, po_line), Decimal(0))

    def __len__(self) -> int:
        invoices = sum(len(items) for items in self._by_vendor.values())
        return invoices + sum(len(items) for items in self._credits.values())

    @classmethod
    def from_erp_invoices(cls, invoices: Iterable[SupplierInvoice]) -> InvoiceRegister:
        """Seed from invoices already in the ERP (their PO-referenced lines count as invoiced;
        credit memos count against the invoice they credit)."""
        invoices = list(invoices)
        references = {invoice.id: invoice.reference for invoice in invoices}
        entries = []
        for invoice in invoices:
            if invoice.credit_memo:
                entries.append(
                    RegisteredInvoice(
                        invoice.vendor_id,
                        invoice.reference,
                        invoice.gross_amount,
                        invoice.currency,
                        invoice.invoice_date,
                        credits=references.get(invoice.credit_for or "", invoice.credit_for or "?"),
                    )
                )
                continue
            quantities: dict[str, Decimal] = defaultdict(Decimal)
            coding = []
            for line in invoice.lines:
                if line.po_id and line.po_line:
                    quantities[po_key(line.po_id, line.po_line)] += line.quantity
                elif line.gl_account:
                    coding.append((line.gl_account, line.cost_center or ""))
            entries.append(
                RegisteredInvoice(
                    invoice.vendor_id,
                    invoice.reference,
                    invoice.gross_amount,
                    invoice.currency,
                    invoice.invoice_date,
                    dict(quantities),
                    coding=tuple(coding),
                )
            )
        return cls(entries)

    def load_decisions(self, ledger: Ledger, agent: str) -> int:
        """Add every invoice the agent decided to post, as recorded in the ledger; returns how many."""
        added = 0
        for record in ledger.records(kind="decision", agent=agent):
            entry = record.payload.get("register_entry")
            if isinstance(entry, dict):
                before = len(self)
                self.add(RegisteredInvoice.from_dict(entry))
                added += len(self) - before
        return added
