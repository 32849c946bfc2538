"""Arithmetic cross-checks: the numbers on an invoice must add up, and when they do every amount
involved is much more likely to have been read right; when they don't, say so and trust them less.

Checks (EN 16931 BR-CO-10/15): Σ line amounts = subtotal; subtotal + tax = total; per line
quantity × unit price = amount. A missing subtotal is derived from the lines or from total − tax.
"""

from __future__ import annotations

from decimal import Decimal

from agents.ap.invoice import Evidence, ExtractedLine, Field, SourceKind

TOLERANCE = Decimal("0.02")
AGREED = 0.98
DISAGREED = 0.6


def _agree(a: Decimal, b: Decimal, tolerance: Decimal = TOLERANCE) -> bool:
    return abs(a - b) <= tolerance


def _rescore(field: Field[Decimal], confidence: float) -> Field[Decimal]:
    return Field[Decimal](value=field.value, confidence=round(confidence, 3), evidence=field.evidence)


def check_line(line: ExtractedLine) -> tuple[ExtractedLine, str | None]:
    """quantity × unit price ≈ amount (allowing rounding of the price to cents)."""
    qty, price, amount = line.quantity.value, line.unit_price.value, line.amount.value
    if qty is None or price is None or amount is None:
        return line, None
    tolerance = max(TOLERANCE, abs(qty) * Decimal("0.005"))
    if _agree(qty * price, amount, tolerance):
        boosted = {
            name: _rescore(getattr(line, name), max(getattr(line, name).confidence, AGREED))
            for name in ("quantity", "unit_price", "amount")
        }
        return line.model_copy(update=boosted), None
    lowered = {
        name: _rescore(getattr(line, name), getattr(line, name).confidence * DISAGREED)
        for name in ("quantity", "unit_price", "amount")
    }
    return line.model_copy(update=lowered), f"line {line.description.value!r}: {qty} × {price} ≠ {amount}"


def check_totals(
    lines: tuple[ExtractedLine, ...],
    subtotal: Field[Decimal],
    tax: Field[Decimal],
    total: Field[Decimal],
    source: SourceKind = "pdf",
) -> tuple[Field[Decimal], Field[Decimal], Field[Decimal], list[str]]:
    """Reconcile lines, subtotal, tax and total; returns rescored fields and warnings."""
    warnings: list[str] = []
    line_sum = (
        sum((line.amount.value for line in lines if line.amount.value is not None), Decimal("0"))
        if lines
        else None
    )
    if (
        subtotal.value is None
        and line_sum is not None
        and tax.value is not None
        and total.value is not None
        and _agree(line_sum + tax.value, total.value)
    ):
        subtotal = Field[Decimal](
            value=line_sum,
            confidence=0.9,
            evidence=Evidence(text=f"sum of {len(lines)} line amounts", source=source),
        )
        warnings.append("subtotal not printed; taken as the sum of the line amounts")
    if subtotal.value is None and tax.value is not None and total.value is not None:
        subtotal = Field[Decimal](
            value=total.value - tax.value,
            confidence=0.7,
            evidence=Evidence(text="total − tax", source=source),
        )
        warnings.append("subtotal not printed; derived as total − tax")
    if line_sum is not None and subtotal.value is not None:
        if _agree(line_sum, subtotal.value):
            subtotal = _rescore(subtotal, max(subtotal.confidence, AGREED))
        else:
            subtotal = _rescore(subtotal, subtotal.confidence * DISAGREED)
            warnings.append(f"line amounts sum to {line_sum}, subtotal reads {subtotal.value}")
    if subtotal.value is not None and tax.value is not None and total.value is not None:
        if _agree(subtotal.value + tax.value, total.value):
            subtotal = _rescore(subtotal, max(subtotal.confidence, AGREED))
            tax = _rescore(tax, max(tax.confidence, AGREED))
            total = _rescore(total, max(total.confidence, AGREED))
        else:
            tax = _rescore(tax, tax.confidence * DISAGREED)
            total = _rescore(total, total.confidence * DISAGREED)
            warnings.append(f"subtotal {subtotal.value} + tax {tax.value} ≠ total {total.value}")
    return subtotal, tax, total, warnings
