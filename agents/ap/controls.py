"""Header-level controls: duplicates, bank details, vendor status, PO status, the invoice's sums.

Each control returns findings; none of them decides alone. A duplicate suspect or a changed bank
account never pays automatically: both are classic routes to paying money twice or to a
fraudster (business e-mail compromise), so they go to people, never to an auto-reject.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from agents.ap.bank_accounts import on_file
from agents.ap.facts import InvoiceFacts, LineKind
from agents.ap.findings import Finding
from agents.ap.invoice_numbers import normalise_invoice_number, number_similarity
from agents.ap.line_matching import LineMatch
from agents.ap.reasons import HoldReason
from agents.ap.register import InvoiceRegister
from agents.ap.tolerances import MatchTolerances, within
from connectors.erp.models import PurchaseOrder, PurchaseOrderStatus, SupplierInvoice, Vendor

_CENT = Decimal("0.01")


def duplicate_findings(
    facts: InvoiceFacts,
    vendor: Vendor,
    register: InvoiceRegister,
    in_erp: SupplierInvoice | None,
    tolerances: MatchTolerances,
) -> list[Finding]:
    """Same vendor and number (normalised, or fuzzy with the same amount), or same amount nearby."""
    number = facts.invoice_number or ""
    if in_erp is not None:
        return [
            Finding(
                HoldReason.DUPLICATE,
                "duplicate.in_erp",
                f"vendor {vendor.id} invoice {number!r} is already in the ERP as {in_erp.id}",
                {"document_id": in_erp.id, "status": in_erp.status.value},
            )
        ]
    normalised = normalise_invoice_number(number) if number else ""
    for known in register.for_vendor(vendor.id):
        same_amount = facts.total is not None and known.gross_amount == facts.total
        data = {
            "earlier_reference": known.reference,
            "earlier_amount": str(known.gross_amount),
            "earlier_date": known.invoice_date.isoformat(),
            "earlier_transaction": known.transaction_id,
        }
        if normalised and known.normalised == normalised:
            return [
                Finding(
                    HoldReason.DUPLICATE,
                    "duplicate.same_number",
                    f"invoice {number!r} is {known.reference!r} again (same number once normalised)",
                    data,
                )
            ]
        score = number_similarity(number, known.reference) if number else 0.0
        apart = _days_apart(facts.invoice_date, known.invoice_date)
        similar = score >= tolerances.duplicate_number_score
        if same_amount and similar and apart <= tolerances.duplicate_number_window_days:
            return [
                Finding(
                    HoldReason.DUPLICATE,
                    "duplicate.similar_number_same_amount",
                    f"invoice {number!r} resembles {known.reference!r} ({score:.0f}) with the same amount",
                    {**data, "similarity": round(score, 1)},
                )
            ]
        if same_amount and apart <= tolerances.duplicate_window_days:
            return [
                Finding(
                    HoldReason.DUPLICATE,
                    "duplicate.same_amount_near_date",
                    f"same amount {known.gross_amount} {known.currency} as {known.reference!r} within "
                    f"{tolerances.duplicate_window_days} days",
                    data,
                )
            ]
    return []


def _days_apart(left: date | None, right: date) -> int:
    return abs((left - right).days) if left is not None else 0


def bank_findings(facts: InvoiceFacts, vendor: Vendor) -> list[Finding]:
    """An account on the invoice that the vendor master does not hold is never paid automatically.

    IBANs and domestic accounts (UK sort code + account, US routing + account) are compared with
    the master in either spelling; an account on file is never a bank change, whatever its form.
    """
    stated = facts.stated_account
    if not stated.iban and not stated.account_number:
        return []
    if on_file(stated, vendor.bank_accounts):
        return []
    held = [
        _mask(a.iban or a.account_number or "") for a in vendor.bank_accounts if a.iban or a.account_number
    ]
    problem = "is not on file" if held else "is given but the vendor master holds no bank account"
    broken = stated.problem
    if stated.iban:
        rule = "bank.iban_invalid" if broken else "bank.iban_not_on_file"
    else:
        rule = "bank.account_invalid" if broken else "bank.account_not_on_file"
    return [
        Finding(
            HoldReason.BANK_CHANGE,
            rule,
            f"{stated.describe()} on the invoice {problem}" + (f" ({broken})" if broken else ""),
            {
                "invoice_iban": stated.iban,
                "invoice_account": stated.account_number,
                "invoice_bank_code": stated.bank_code,
                "on_file": held,
            },
        )
    ]


def _mask(account: str) -> str:
    return f"{account[:4]}…{account[-4:]}" if len(account) > 8 else f"…{account[-4:]}"


def vendor_findings(vendor: Vendor) -> list[Finding]:
    if vendor.blocked:
        return [
            Finding(
                HoldReason.UNKNOWN_VENDOR,
                "vendor.blocked",
                f"vendor {vendor.id} ({vendor.name}) is blocked for posting and payment",
            )
        ]
    return []


def order_findings(
    facts: InvoiceFacts, vendor: Vendor, order: PurchaseOrder, register: InvoiceRegister
) -> list[Finding]:
    if order.vendor_id != vendor.id:
        return [
            Finding(
                HoldReason.PO_CLOSED,
                "po.other_vendor",
                f"{order.id} was ordered from vendor {order.vendor_id}, not {vendor.id}",
            )
        ]
    if order.status is PurchaseOrderStatus.CLOSED:
        return [Finding(HoldReason.PO_CLOSED, "po.closed", f"{order.id} is closed")]
    if order.lines and all(
        register.invoiced_quantity(order.id, line.line) >= line.quantity for line in order.lines
    ):
        return [
            Finding(HoldReason.PO_CLOSED, "po.fully_invoiced", f"every line of {order.id} is fully invoiced")
        ]
    if facts.currency and facts.currency != order.currency:
        return [
            Finding(
                HoldReason.PRICE_VARIANCE,
                "po.currency_differs",
                f"invoice is in {facts.currency}, {order.id} in {order.currency}",
            )
        ]
    return []


def arithmetic_findings(facts: InvoiceFacts, tolerances: MatchTolerances) -> list[Finding]:
    """EN 16931 BR-CO-10/13/15: lines sum to the subtotal; subtotal + tax = total; line = qty x price."""
    allowed = tolerances.arithmetic_abs
    found = []
    for line in facts.lines:
        if None in (line.quantity, line.unit_price, line.amount) or line.kind is not LineKind.GOODS:
            continue
        assert line.quantity is not None and line.unit_price is not None and line.amount is not None
        expected = (line.quantity * line.unit_price).quantize(_CENT)
        if abs(expected - line.amount) > allowed:
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.line_amount",
                    f"line {line.index + 1}: {line.quantity} x {line.unit_price} = {expected}, "
                    f"invoice says {line.amount}",
                    {"expected": str(expected), "stated": str(line.amount)},
                )
            )
    amounts = [line for line in facts.lines if line.amount is not None]
    if facts.subtotal is not None and amounts:
        net = sum(
            (
                -(line.amount or 0) if line.kind is LineKind.DISCOUNT else (line.amount or 0)
                for line in amounts
            ),
            Decimal(0),
        )
        net = net - facts.allowances + facts.charges
        if abs(net - facts.subtotal) > allowed:
            adjusted = (
                f" (after {facts.allowances} allowances and {facts.charges} charges)"
                if facts.allowances or facts.charges
                else ""
            )
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.lines_vs_subtotal",
                    f"lines add up to {net}{adjusted}, the subtotal says {facts.subtotal}",
                    {
                        "lines": str(net),
                        "subtotal": str(facts.subtotal),
                        "allowances": str(facts.allowances),
                        "charges": str(facts.charges),
                    },
                )
            )
    if None not in (facts.subtotal, facts.tax, facts.total):
        assert facts.subtotal is not None and facts.tax is not None and facts.total is not None
        if abs(facts.subtotal + facts.tax - facts.total) > allowed:
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.subtotal_plus_tax",
                    f"{facts.subtotal} + {facts.tax} tax = {facts.subtotal + facts.tax}, total says {facts.total}",
                    {"subtotal": str(facts.subtotal), "tax": str(facts.tax), "total": str(facts.total)},
                )
            )
    if (
        facts.total is not None
        and facts.payable is not None
        and (abs(facts.total - facts.prepaid - facts.payable) > allowed)
    ):
        found.append(
            Finding(
                HoldReason.MATH_ERROR,
                "math.payable",
                f"total {facts.total} − prepaid {facts.prepaid} ≠ amount due {facts.payable}",
                {"total": str(facts.total), "prepaid": str(facts.prepaid), "payable": str(facts.payable)},
            )
        )
    found.extend(tax_rate_findings(facts, allowed))
    return found


def tax_rate_findings(facts: InvoiceFacts, allowed: Decimal) -> list[Finding]:
    """EN 16931 BR-CO-17/14: each VAT row's tax is its base times its rate (within rounding), the
    rows add up to the tax total and their bases to the tax-exclusive amount."""
    rows = facts.tax_breakdown
    if not rows:
        return []
    found = []
    for row in rows:
        if row.rate is None or row.base is None or row.amount is None:
            continue
        expected = (abs(row.base) * row.rate / 100).quantize(_CENT)
        if abs(expected - abs(row.amount)) > allowed:
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.tax_rate",
                    f"VAT {row.category or ''} {row.rate} % of {abs(row.base)} is {expected}, "
                    f"the invoice states {abs(row.amount)}",
                    {
                        "category": row.category,
                        "rate": str(row.rate),
                        "base": str(abs(row.base)),
                        "expected": str(expected),
                        "stated": str(abs(row.amount)),
                    },
                )
            )
    amounts = [abs(row.amount) for row in rows if row.amount is not None]
    if facts.tax is not None and len(amounts) == len(rows):
        stated = sum(amounts, Decimal(0))
        if abs(stated - facts.tax) > allowed:
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.tax_breakdown_vs_total",
                    f"VAT rows add up to {stated}, the tax total says {facts.tax}",
                    {"rows": str(stated), "tax": str(facts.tax)},
                )
            )
    bases = [abs(row.base) for row in rows if row.base is not None]
    if facts.subtotal is not None and len(bases) == len(rows):
        stated = sum(bases, Decimal(0))
        if abs(stated - facts.subtotal) > allowed:
            found.append(
                Finding(
                    HoldReason.MATH_ERROR,
                    "math.tax_bases_vs_subtotal",
                    f"VAT bases add up to {stated}, the tax-exclusive amount is {facts.subtotal}",
                    {"bases": str(stated), "subtotal": str(facts.subtotal)},
                )
            )
    return found


def charge_findings(
    facts: InvoiceFacts, matches: list[LineMatch], tolerances: MatchTolerances
) -> list[Finding]:
    """Unplanned charges up to a limit are accepted; matched lines together must stay near their
    value at PO prices (a price-totals check catching many small per-line excesses)."""
    found = []
    charges = sum(
        (line.amount or Decimal(0) for line in facts.lines if line.kind is LineKind.CHARGE), facts.charges
    )
    if charges and not within(charges, Decimal(0), pct=None, absolute=tolerances.freight_abs):
        found.append(
            Finding(
                HoldReason.PRICE_VARIANCE,
                "charge.unplanned_above_limit",
                f"unplanned charges of {charges} exceed the limit of {tolerances.freight_abs}",
                {"charges": str(charges), "limit": str(tolerances.freight_abs)},
            )
        )
        return found
    paired = [
        match for match in matches if match.po_line is not None and match.quantity_in_po_unit is not None
    ]
    matched = sum((match.matched_value for match in paired), Decimal(0))
    billed = sum((match.invoice_line.amount or Decimal(0) for match in paired), Decimal(0))
    if not matched:
        return found
    excess = billed - matched
    if not within(excess, matched, pct=tolerances.total_pct, absolute=tolerances.total_abs):
        found.append(
            Finding(
                HoldReason.PRICE_VARIANCE,
                "total.above_matched_value",
                f"matched lines bill {billed}, {excess} above their value at PO prices ({matched})",
                {"billed": str(billed), "matched": str(matched), "excess": str(excess)},
            )
        )
    return found
