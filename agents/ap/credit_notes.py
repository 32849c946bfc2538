"""Credit notes: find the invoice a credit note corrects and decide whether it may be credited.

A credit note (EN 16931 type 381, UBL ``CreditNote``) names the invoice it corrects (BT-25,
``BillingReference``). The agent books it as a credit memo against that invoice when the ERP holds
the invoice under the same vendor, posted (not on hold, not itself a credit), in the same currency,
and the credit fits in what earlier credits left of it. Anything else is a `HoldReason.CREDIT_NOTE`
finding naming what is wrong, and a clerk books it. Nothing is ever paid for a credit memo.
"""

from __future__ import annotations

from decimal import Decimal

from rapidfuzz import fuzz

from agents.ap.facts import InvoiceFacts, LineKind
from agents.ap.findings import Finding
from agents.ap.invoice_numbers import normalise_invoice_number
from agents.ap.reasons import HoldReason
from agents.ap.register import InvoiceRegister
from connectors.erp.models import InvoiceLine, InvoiceStatus, SupplierInvoice, Vendor
from connectors.erp.protocol import PayablesERP

CREDITABLE = frozenset({InvoiceStatus.POSTED, InvoiceStatus.AWAITING_RELEASE})
"""Statuses of an original a credit memo may be booked against without a clerk. An invoice on hold
is in dispute: the clerk who settles it books the credit with it."""
_CENT = Decimal("0.01")


def _hold(rule: str, message: str, **data: object) -> Finding:
    return Finding(HoldReason.CREDIT_NOTE, f"credit_note.{rule}", message, dict(data))


def credit_duplicate_findings(
    facts: InvoiceFacts, vendor: Vendor, register: InvoiceRegister, in_erp: SupplierInvoice | None
) -> list[Finding]:
    """A credit note already in the ERP, or one the agent already decided to book (same number).

    Credit notes are not compared with invoices by amount and date: a full credit has the
    invoice's amount and often its date, and is no duplicate of it."""
    number = facts.invoice_number or ""
    if in_erp is not None:
        return [
            Finding(
                HoldReason.DUPLICATE,
                "duplicate.in_erp",
                f"vendor {vendor.id} credit note {number!r} is already in the ERP as {in_erp.id}",
                {"document_id": in_erp.id, "status": in_erp.status.value},
            )
        ]
    normalised = normalise_invoice_number(number) if number else ""
    for known in register.credit_notes_of(vendor.id):
        if normalised and known.normalised == normalised:
            return [
                Finding(
                    HoldReason.DUPLICATE,
                    "duplicate.same_number",
                    f"credit note {number!r} is {known.reference!r} again (same number once normalised)",
                    {"earlier_reference": known.reference, "earlier_transaction": known.transaction_id},
                )
            ]
    return []


def find_original(
    facts: InvoiceFacts, vendor: Vendor, erp: PayablesERP, register: InvoiceRegister
) -> SupplierInvoice | None:
    """The vendor's ERP invoice the credit note names, as printed or as the register spells it."""
    reference = facts.preceding_invoice
    if not reference:
        return None
    spellings = [reference]
    wanted = normalise_invoice_number(reference)
    spellings += [i.reference for i in register.for_vendor(vendor.id) if i.normalised == wanted]
    for spelling in dict.fromkeys(spellings):
        found = erp.find_invoice(vendor.id, spelling)
        if found is not None:
            return found
    return None


def original_findings(
    facts: InvoiceFacts,
    vendor: Vendor,
    original: SupplierInvoice | None,
    register: InvoiceRegister,
) -> list[Finding]:
    """Why the credit note cannot be booked against `original` by the agent; [] when it can."""
    reference = facts.preceding_invoice
    if not reference:
        return [_hold("no_reference", "credit note names no invoice it corrects (BT-25 BillingReference)")]
    if original is None:
        others = [v for v in register.vendors_with_invoice(reference) if v != vendor.id]
        if others:
            return [
                _hold(
                    "original_other_vendor",
                    f"credited invoice {reference!r} is not an invoice of {vendor.id} but of "
                    f"{', '.join(others)}",
                    reference=reference,
                    vendors=others,
                )
            ]
        return [
            _hold(
                "original_not_found",
                f"credited invoice {reference!r} of vendor {vendor.id} is not in the ERP",
                reference=reference,
            )
        ]
    data: dict[str, object] = {"original": original.id, "reference": original.reference}
    if original.vendor_id != vendor.id:  # find_invoice is per vendor; a connector must not widen it
        return [_hold("original_other_vendor", f"{original.id} belongs to {original.vendor_id}", **data)]
    if original.credit_memo:
        return [_hold("original_is_credit", f"{original.id} is itself a credit memo", **data)]
    if original.status not in CREDITABLE:
        return [
            _hold(
                "original_not_posted",
                f"credited invoice {original.id} is {original.status.value}, not posted: a clerk settles both",
                status=original.status.value,
                **data,
            )
        ]
    if facts.currency != original.currency:
        return [
            _hold(
                "currency_differs",
                f"credit note in {facts.currency}, credited invoice {original.id} in {original.currency}",
                currency=facts.currency,
                original_currency=original.currency,
                **data,
            )
        ]
    earlier = register.credits_against(vendor.id, original.reference)
    credited = sum((c.gross_amount for c in earlier), Decimal(0))
    remaining = original.gross_amount - credited
    data.update(
        original_amount=str(original.gross_amount),
        credited=str(credited),
        remaining=str(remaining),
        earlier_credits=[c.reference for c in earlier],
    )
    if remaining <= 0:
        return [_hold("original_fully_credited", f"{original.id} is already fully credited", **data)]
    if facts.total is not None and facts.total > remaining:
        return [
            _hold(
                "exceeds_remaining",
                f"credit of {facts.total} {facts.currency} exceeds the {remaining} left of {original.id} "
                f"({original.gross_amount} less {credited} credited before)",
                amount=str(facts.total),
                **data,
            )
        ]
    if credited_lines(facts, original) is None:
        return [
            _hold(
                "line_not_on_original",
                f"a credited line is not a line of {original.id} (by PO line or description)",
                **data,
            )
        ]
    return []


def credited_lines(facts: InvoiceFacts, original: SupplierInvoice) -> list[InvoiceLine] | None:
    """The credit memo's lines, each on the original's line it credits (same PO line, or the one
    line whose text fits); None when a credited line fits no line of the original. Document-level
    allowances and charges are spread over the lines in proportion to their value."""
    goods = [line for line in facts.lines if line.kind is LineKind.GOODS]
    booked: list[tuple[InvoiceLine, Decimal, Decimal | None]] = []
    for line in goods:
        target = _original_line(line.po_line, line.description, original)
        if target is None or line.amount is None:
            return None
        booked.append((target, line.amount, line.quantity))
    if not booked:
        return None
    extra = facts.charges - facts.allowances
    for line in facts.lines:
        if line.kind is not LineKind.GOODS and line.amount is not None:
            extra += -line.amount if line.kind is LineKind.DISCOUNT else line.amount
    total = sum((amount for _, amount, _ in booked), Decimal(0))
    shares = [(extra * amount / total).quantize(_CENT) if total else Decimal(0) for _, amount, _ in booked]
    shares[-1] = extra - sum(shares[:-1], Decimal(0))
    return [
        target.model_copy(
            update={
                "quantity": quantity if quantity is not None else Decimal(1),
                "amount": amount + share,
                "unit_price": (amount / quantity).quantize(_CENT) if quantity else amount,
            }
        )
        for (target, amount, quantity), share in zip(booked, shares, strict=True)
    ]


def _original_line(po_line: str | None, description: str, original: SupplierInvoice) -> InvoiceLine | None:
    if po_line is not None:
        same = [line for line in original.lines if line.po_line and _item(line.po_line) in _items(po_line)]
        if len(same) == 1:
            return same[0]
    if len(original.lines) == 1:
        return original.lines[0]
    scored = [
        (fuzz.token_set_ratio(description.lower(), line.description.lower()), line) for line in original.lines
    ]
    fitting = [line for score, line in scored if score >= 75]
    return fitting[0] if len(fitting) == 1 else None


def _item(value: str) -> str:
    digits = value.lstrip("0")
    return digits or "0"


def _items(po_line: str) -> set[str]:
    """A printed PO line and its ERP item spellings: ``1`` is item ``1`` or ``10`` (SAP steps of 10)."""
    item = _item(po_line)
    return {item, f"{item}0"} if item.isdigit() else {item}
