"""Per-line three-way match: invoice line vs PO line (price) vs goods receipts (quantity).

PO-based matching as in SAP's PO-based invoice verification: all receipts of a PO line are
summed, and the quantity test is cumulative -- everything invoiced so far plus this invoice must
not exceed what was received (within tolerance). Prices are compared per PO unit after unit
conversion. Lines without a PO line reference are paired with the PO line whose text is most
alike (rapidfuzz), since many invoices do not print the PO line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz

from agents.ap.facts import InvoiceFacts, LineFacts
from agents.ap.findings import Finding
from agents.ap.reasons import HoldReason
from agents.ap.register import InvoiceRegister
from agents.ap.tolerances import MatchTolerances, within
from agents.ap.units import conversion_factor
from connectors.erp.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine

_MIN_TEXT_SCORE = 75.0
_CENT = Decimal("0.01")


@dataclass
class LineMatch:
    """One invoice line side by side with its PO line and receipts, and the variances found."""

    invoice_line: LineFacts
    po_line: PurchaseOrderLine | None = None
    paired_by: str = ""
    """``reference`` (the invoice names the PO line) or ``description`` (fuzzy text match)."""
    quantity_in_po_unit: Decimal | None = None
    price_per_po_unit: Decimal | None = None
    received: Decimal = Decimal(0)
    previously_invoiced: Decimal = Decimal(0)
    findings: list[Finding] = field(default_factory=list)

    @property
    def matched_value(self) -> Decimal:
        """What this line should cost at the PO price."""
        if self.po_line is None or self.quantity_in_po_unit is None:
            return Decimal(0)
        return (self.po_line.unit_price * self.quantity_in_po_unit).quantize(_CENT)

    def as_dict(self) -> dict[str, Any]:
        line = self.invoice_line
        po = self.po_line
        return {
            "invoice": {
                "index": line.index,
                "description": line.description,
                "quantity": _text(line.quantity),
                "unit": line.unit,
                "unit_price": _text(line.unit_price),
                "amount": _text(line.amount),
                "po_line": line.po_line,
            },
            "po_line": None
            if po is None
            else {
                "line": po.line,
                "description": po.description,
                "quantity": str(po.quantity),
                "unit": po.unit,
                "unit_price": str(po.unit_price),
            },
            "paired_by": self.paired_by,
            "received": str(self.received),
            "previously_invoiced": str(self.previously_invoiced),
            "variances": {
                "unit_price": _text(
                    None
                    if po is None or self.price_per_po_unit is None
                    else self.price_per_po_unit - po.unit_price
                ),
                "quantity_over_received": _text(
                    None
                    if self.quantity_in_po_unit is None
                    else self.previously_invoiced + self.quantity_in_po_unit - self.received
                ),
            },
            "findings": [finding.as_dict() for finding in self.findings],
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def po_line_for(order: PurchaseOrder, ref: str) -> PurchaseOrderLine | None:
    """The PO line an invoice's order-line reference means, in the ERP's own item numbering.

    The same item is ``10`` in SAP, ``00010`` in its IDocs and ``1`` on a supplier's order
    confirmation (UBL's LineID counts lines). Tried in order: the reference as written; the same
    number without leading zeros; and, when the ERP numbers its items in steps of ten and has no
    item of that number, the n-th item (``1`` → ``10``, ``2`` → ``20``).
    """
    exact = order.line_by_number(ref)
    if exact is not None or not ref.isdigit():
        return exact
    number = int(ref)
    numbered = {int(line.line): line for line in order.lines if line.line.isdigit()}
    if number in numbered:
        return numbered[number]
    stepped = bool(numbered) and all(key % 10 == 0 for key in numbered)
    return numbered.get(number * 10) if stepped else None


def pair_lines(facts: InvoiceFacts, order: PurchaseOrder) -> list[LineMatch]:
    """Pair each goods line with a PO line: by reference first, then by the most alike text.

    Among equally alike PO lines (orders repeat an item), one not yet paired and big enough for
    the billed quantity wins."""
    matches = [LineMatch(line) for line in facts.goods_lines]
    for match in matches:
        ref = match.invoice_line.po_line
        if ref is not None and (po_line := po_line_for(order, ref)) is not None:
            match.po_line, match.paired_by = po_line, "reference"
    for match in matches:
        if match.po_line is not None or match.invoice_line.po_line is not None:
            continue
        taken = {m.po_line.line for m in matches if m.po_line is not None}
        wanted = match.invoice_line.quantity
        scored = [
            (
                fuzz.token_set_ratio(match.invoice_line.description.lower(), po.description.lower()),
                po.line not in taken,
                wanted is not None and wanted <= po.quantity,
                po,
            )
            for po in order.lines
        ]
        if scored:
            score, _free, _fits, best = max(scored, key=lambda item: item[:3])
            if score >= _MIN_TEXT_SCORE:
                match.po_line, match.paired_by = best, "description"
    return matches


def match_lines(
    facts: InvoiceFacts,
    order: PurchaseOrder,
    receipts: list[GoodsReceipt],
    register: InvoiceRegister,
    tolerances: MatchTolerances,
) -> list[LineMatch]:
    """Pair and check every goods line; findings are attached to the line they concern."""
    matches = pair_lines(facts, order)
    billed_here: dict[str, Decimal] = {}
    for match in matches:
        _check_line(match, order, receipts, register, tolerances, billed_here)
    return matches


def _check_line(
    match: LineMatch,
    order: PurchaseOrder,
    receipts: list[GoodsReceipt],
    register: InvoiceRegister,
    tolerances: MatchTolerances,
    billed_here: dict[str, Decimal],
) -> None:
    line, po = match.invoice_line, match.po_line
    where = f"line {line.index + 1} ({line.description[:40]!r})"
    if po is None:
        match.findings.append(
            Finding(
                HoldReason.QUANTITY_VARIANCE,
                "line.not_on_po",
                f"{where} bills something not ordered on {order.id}",
                {"po_line_reference": line.po_line},
            )
        )
        return
    if line.quantity is None or line.unit_price is None:
        return  # missing facts are a perception problem, judged by the confidence rule
    factor = conversion_factor(line.unit, po.unit)
    if factor is None:
        match.findings.append(
            Finding(
                HoldReason.QUANTITY_VARIANCE,
                "line.unit_not_convertible",
                f"{where} is billed in {line.unit!r}, PO line {po.line} is in {po.unit!r}",
                {"invoice_unit": line.unit, "po_unit": po.unit},
            )
        )
        return
    quantity = line.quantity * factor
    price = line.unit_price / factor
    match.quantity_in_po_unit, match.price_per_po_unit = quantity, price
    _check_price(match, where, po, quantity, price, tolerances)
    _check_quantity(match, where, order, po, quantity, receipts, register, tolerances, billed_here)


def _check_price(
    match: LineMatch,
    where: str,
    po: PurchaseOrderLine,
    quantity: Decimal,
    price: Decimal,
    tolerances: MatchTolerances,
) -> None:
    excess_unit = price - po.unit_price
    if excess_unit <= 0:
        return
    value = (excess_unit * quantity).quantize(_CENT)
    pct_ok = within(excess_unit, po.unit_price, pct=tolerances.price_pct, absolute=None)
    abs_ok = within(value, po.unit_price * quantity, pct=None, absolute=tolerances.price_abs)
    if not (pct_ok and abs_ok):
        pct = (excess_unit * 100 / po.unit_price).quantize(_CENT) if po.unit_price else None
        match.findings.append(
            Finding(
                HoldReason.PRICE_VARIANCE,
                "line.price_above_tolerance",
                f"{where}: unit price {price.quantize(Decimal('0.0001')).normalize()} vs PO "
                f"{po.unit_price} (+{pct}%, {value} over the line)",
                {
                    "invoice_price": str(price),
                    "po_price": str(po.unit_price),
                    "variance_pct": _text(pct),
                    "variance_value": str(value),
                    "tolerance_pct": _text(tolerances.price_pct),
                    "tolerance_abs": _text(tolerances.price_abs),
                },
            )
        )


def _check_quantity(
    match: LineMatch,
    where: str,
    order: PurchaseOrder,
    po: PurchaseOrderLine,
    quantity: Decimal,
    receipts: list[GoodsReceipt],
    register: InvoiceRegister,
    tolerances: MatchTolerances,
    billed_here: dict[str, Decimal],
) -> None:
    received = Decimal(0)
    for receipt in receipts:
        if receipt.po_line == po.line:
            factor = conversion_factor(receipt.unit, po.unit) or Decimal(1)
            received += receipt.quantity * factor
    earlier = register.invoiced_quantity(order.id, po.line) + billed_here.get(po.line, Decimal(0))
    billed_here[po.line] = billed_here.get(po.line, Decimal(0)) + quantity
    match.received, match.previously_invoiced = received, earlier
    data = {
        "ordered": str(po.quantity),
        "received": str(received),
        "previously_invoiced": str(earlier),
        "this_invoice": str(quantity),
    }
    if not order.needs_receipt(po):
        _check_two_way(match, where, po, quantity, earlier, data, tolerances)
        return
    if received <= 0:
        match.findings.append(
            Finding(HoldReason.NO_RECEIPT, "line.no_goods_receipt", f"{where}: nothing received yet", data)
        )
        return
    cumulative = earlier + quantity
    limit = min(received, po.quantity)
    if not within(cumulative - limit, limit, pct=tolerances.quantity_pct, absolute=tolerances.quantity_abs):
        rule = "line.over_billed" if earlier > 0 else "line.quantity_above_received"
        match.findings.append(
            Finding(
                HoldReason.QUANTITY_VARIANCE,
                rule,
                f"{where}: invoiced {cumulative} in total (of which {earlier} before) vs "
                f"{received} received, {po.quantity} ordered",
                data,
            )
        )


def _check_two_way(
    match: LineMatch,
    where: str,
    po: PurchaseOrderLine,
    quantity: Decimal,
    earlier: Decimal,
    data: dict[str, str],
    tolerances: MatchTolerances,
) -> None:
    """Two-way match (services, subscriptions): billed in total up to the ordered quantity."""
    cumulative = earlier + quantity
    if not within(
        cumulative - po.quantity, po.quantity, pct=tolerances.quantity_pct, absolute=tolerances.quantity_abs
    ):
        match.findings.append(
            Finding(
                HoldReason.QUANTITY_VARIANCE,
                "line.over_ordered_two_way",
                f"{where}: invoiced {cumulative} in total (of which {earlier} before) vs "
                f"{po.quantity} ordered (two-way match, no goods receipt expected)",
                {**data, "match": "two_way"},
            )
        )
