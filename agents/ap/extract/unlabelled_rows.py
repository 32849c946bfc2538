"""Totals found by their arithmetic in a *row*, for a summary row whose captions the vocabulary does
not know (``Základ | Sazba | DPH | Celkem`` over ``10 000,00 | 21 % | 2 100,00 | 12 100,00``):
on the last page, a line of cells that are numbers only, where three of them, left to right, read
net + tax = gross at a plausible VAT rate (and, when a rate cell stands between, tax = rate × net).
Consecutive such rows in the same columns are one rate each: their sum row is the document's
amounts, or without one their sums. The bottom-most such block wins. Percent cells, phone or
account digits (never a number-only cell) and carried-forward lines are never read. Like any
unlabelled reading it stays below the auto-post threshold: the equation chose the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.numbers import DecimalSeparator
from agents.ap.extract.page_text import PageText
from agents.ap.extract.rate_lines import holds_no_document_amount
from agents.ap.extract.summary_tables import Cell, line_cells, looks_numeric

MAX_RATE = Decimal("0.30")
TOLERANCE = Decimal("0.02")
ALIGN = 12.0


@dataclass(frozen=True)
class _Row:
    top: float
    cells: tuple[Cell, Cell, Cell]


def _agree(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE


def _closing(cells: list[Cell]) -> tuple[Cell, Cell, Cell] | None:
    """The first net, tax, gross triple of a row (left to right) that closes at a plausible rate."""
    amounts = [c for c in cells if not c.percent]
    rates = [c for c in cells if c.percent]
    for i, net in enumerate(amounts):
        for j in range(i + 1, len(amounts)):
            tax = amounts[j]
            if net.value == 0 or not 0 < tax.value / net.value <= MAX_RATE:
                continue
            for gross in amounts[j + 1 :]:
                if not _agree(net.value + tax.value, gross.value):
                    continue
                if rates and not any(
                    abs(net.value * r.value / 100 - tax.value) <= Decimal("0.011") for r in rates
                ):
                    continue  # a rate is printed in the row and this is not its tax
                return net, tax, gross
    return None


def _same_columns(a: _Row, b: _Row) -> bool:
    return all(abs(x.phrase.x1 - y.phrase.x1) <= ALIGN for x, y in zip(a.cells, b.cells, strict=True))


def _block_values(block: list[_Row]) -> list[tuple[Decimal, list[Cell]]]:
    """Net, tax and gross of a block of per-rate rows: the sum row when the last is one, else the sums."""
    if len(block) >= 3 and all(
        _agree(sum((r.cells[k].value for r in block[:-1]), Decimal("0")), block[-1].cells[k].value)
        for k in range(3)
    ):
        return [(block[-1].cells[k].value, [block[-1].cells[k]]) for k in range(3)]
    return [
        (sum((r.cells[k].value for r in block), Decimal("0")), [r.cells[k] for r in block]) for k in range(3)
    ]


def row_totals(
    pages: list[PageText], separator: DecimalSeparator | None, confidence: float
) -> dict[str, Candidate]:
    """Net, tax and gross from the bottom-most block of closing number rows on the last page."""
    if not pages:
        return {}
    page = pages[-1]
    blocks: list[list[_Row]] = []
    for line in page.lines:
        if sum(looks_numeric(line)) < 3 or holds_no_document_amount(line):
            continue
        cells = [c for c in line_cells(line, separator) if c is not None]
        triple = _closing(cells) if len(cells) >= 3 else None
        if triple is None:
            continue
        row = _Row(line.top, triple)
        if blocks and _same_columns(blocks[-1][-1], row) and row.top - blocks[-1][-1].top < 30:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    if not blocks:
        return {}
    found: dict[str, Candidate] = {}
    for role, (value, cells) in zip(("subtotal", "tax", "total"), _block_values(blocks[-1]), strict=True):
        boxes = [c.phrase.bbox() for c in cells]
        bbox = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        found[role] = Candidate(
            value, confidence, page.number, bbox, " + ".join(c.phrase.text for c in cells)
        )
    return found
