"""VAT breakdown and summary tables: a caption row (``BASE IMPONIBLE | % IVA | CUOTA | TOTAL``,
``Aliquota | Imponibile | Imposta``, ``Netto | MwSt-Satz | MwSt | Brutto``) above one value row per
VAT rate, with or without a sum row. Each caption names its column's role (net, tax, gross, rate,
allowance); a column's document value is its sum row when the last row sums the others, else the
sum of its rows. The net, tax and gross columns whose values close (net + tax = gross at a plausible
rate) are the document's amounts, read as labelled values. Rate cells and per-rate cells are *not*
document amounts: the caller drops any candidate read there by the plain label reader (``20`` under
``MwSt-%`` is a rate, ``13,89`` under ``BASE IMPONIBLE`` one rate's base).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.numbers import DecimalSeparator, parse_number
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.vocabulary import fold

CLOSED = 0.9
"""Confidence of table values whose net + tax = gross closes (the solver then confirms them)."""
CAPTIONED = 0.8
"""Confidence of a captioned column's value when no triple of the table closes."""
MAX_RATE = Decimal("0.30")
TOLERANCE = Decimal("0.02")
ROW_GAP = 2.6
"""Rows of one table are at most this many line heights apart."""

_CURRENCY = r"(?:[A-Z]{3}|[€$£¥]|kr\.?|Kr\.?|Fr\.?|SFr\.?|sFr\.?|zł|Kč|Ft)"
_NUMERIC_CELL = re.compile(
    rf"^\s*[-−]?\s*(?:{_CURRENCY}\s*)?(?P<number>[-−(]?\s*\d[\d.,'’\u00a0\u202f ]*\d\)?[-−]?|\d)\s*(?P<percent>%)?"
    rf"\s*(?:{_CURRENCY})?\s*$"
)
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "allowance",
        re.compile(
            r"rabatt|skonto|discount|remise|sconto|descuento|korting|allowance|fracht|freight|"
            r"shipping|\bporto\b|spese|charges?\b|frais|gastos|transport|verpackung"
        ),
    ),
    ("rate", re.compile(r"%|satz|\brate\b|aliquota|taux|tarief|\btasa\b|\btipo\b|percent|\bsats")),
    (
        "gross",
        re.compile(
            r"brutto|gross|\bttc\b|t\.t\.c|inkl|incl|endbetrag|documento|factura|fattura|"
            r"rechnungsbetrag|gesamtbetrag|to pay|a pagar|da pagare|zu zahlen|a payer|te betalen"
        ),
    ),
    (
        "tax",
        re.compile(
            r"(?:\bvat|\btax|mwst|\bust|tva|\biva|btw|\bgst)\W*(?:sub-?total|zwischensumme|subtotaal|sous-?total)"
        ),
    ),  # "VAT subtotal"
    (
        "net",
        re.compile(
            r"netto|\bnet\b|imponib|\bbase\b|\bht\b|h\.t\.|excl|exkl|hors|taxable|\bneto|"
            r"sub-?total|sous-total|zwischensumme|subtotaal|grondslag|bemessung"
        ),
    ),
    ("goods", re.compile(r"warenwert|goods|positionen|\blines?\b")),
    (
        "tax",
        re.compile(r"mwst|\bust\b|\bvat\b|tva|\biva\b|btw|\btax|imposta|cuota|steuer|moms|impuesto|\bgst\b"),
    ),
    (
        "gross",
        re.compile(r"total|summe|gesamt|betrag|importe|importo|montant|amount|totaal|bedrag|suma|somma"),
    ),
)
_ITEM_HEADER = re.compile(
    r"descri|bezeichnung|beschreibung|artikel|articolo|concepto|omschrijving|designation|libelle|"
    r"menge|qty|quantit|cantidad|\bcant\b|aantal|anzahl|\bpos\b|unit price|einzelpreis|prezzo unit|"
    r"prix unit|precio unit"
)
_SUM_ROW = re.compile(
    r"^(?:summe|sum|total|totale|totaal|suma|somma|gesamt|totals?|montant\s*(?:total|de\s*la\s*facture))\b"
)


@dataclass(frozen=True)
class Cell:
    value: Decimal
    percent: bool
    phrase: Phrase
    row: int


@dataclass
class Column:
    caption: Phrase
    role: str | None
    cells: list[Cell] = field(default_factory=list)


@dataclass
class TableReading:
    """Candidates per amount role, and the boxes that hold no document amount (rates, per-rate cells)."""

    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    not_totals: list[tuple[int, tuple[float, float, float, float]]] = field(default_factory=list)


_STATED_RATE = re.compile(r"\d+(?:[.,]\d+)?\s*%")

_ANY_ROLE = re.compile("|".join(pattern.pattern for _, pattern in _ROLES))


def role_of(caption: str) -> str | None:
    """A caption's role; a rate stated in it (``Sales Tax (8.875%)``, ``MWST 8.1 %``) names the
    amount's tax, it does not make the column a rate column."""
    folded = fold(caption)
    if not _ANY_ROLE.search(folded):
        return None
    folded = _STATED_RATE.sub(" ", folded)
    for role, pattern in _ROLES:
        if pattern.search(folded):
            return role
    return None


def numeric_cell(phrase: Phrase, separator: DecimalSeparator | None, row: int) -> Cell | None:
    match = _NUMERIC_CELL.match(phrase.text)
    if match is None:
        return None
    value = parse_number(match.group("number"), separator)
    if value is None:
        return None
    return Cell(abs(value), match.group("percent") is not None, phrase, row)


def line_cells(line: TextLine, separator: DecimalSeparator | None) -> tuple[Cell | None, ...]:
    """Each phrase of a line read as a number-only cell (None where `looks_numeric` says text), once per line."""
    key = f"cells{separator}"
    if key not in line.memo:
        pairs = zip(line.phrases, looks_numeric(line), strict=True)
        line.memo[key] = tuple(numeric_cell(p, separator, 0) if numeric else None for p, numeric in pairs)
    cells: tuple[Cell | None, ...] = line.memo[key]
    return cells


def looks_numeric(line: TextLine) -> tuple[bool, ...]:
    """Per phrase, whether it is printed like a number-only cell (not yet parsed), once per line."""
    if "numeric" not in line.memo:
        line.memo["numeric"] = tuple([_NUMERIC_CELL.match(p.text) is not None for p in line.phrases])
    flags: tuple[bool, ...] = line.memo["numeric"]
    return flags


def _is_caption(page: PageText, at: int) -> list[str | None] | None:
    """The roles of a caption row's phrases, or None when the line is no summary caption row (it
    must hold no number and have a row of at least two numbers within the next two lines)."""
    line = page.lines[at]
    if len(line.phrases) < 2 or any(looks_numeric(line)):
        return None
    if not any(sum(looks_numeric(below)) >= 2 for below in page.lines[at + 1 : at + 3]):
        return None
    folded = fold(line.text)
    if not _ANY_ROLE.search(folded) or _ITEM_HEADER.search(folded):
        return None  # no caption word, or a line-item table's header
    roles = [role_of(p.text) for p in line.phrases]
    amount_roles = {r for r in roles if r in ("net", "tax", "gross", "goods")}
    if len(amount_roles) < 2 and not (amount_roles and "rate" in roles):
        return None
    return roles


def _column_for(cell: Phrase, captions: list[Phrase]) -> int | None:
    """The caption a cell stands under: the one it overlaps most, else the one whose span (from its
    left edge to the next caption's) holds the cell's centre (right-aligned numbers under
    left-aligned captions)."""
    best, best_overlap = None, 0.0
    for index, caption in enumerate(captions):
        overlap = min(cell.x1, caption.x1) - max(cell.x0, caption.x0)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best is not None:
        return best
    centre = (cell.x0 + cell.x1) / 2
    for index, caption in enumerate(captions):
        end = captions[index + 1].x0 if index + 1 < len(captions) else caption.x1 + 80
        if caption.x0 - 10 <= centre < end:
            return index
    return None


def _read_table(
    page: PageText, at: int, roles: list[str | None], separator: DecimalSeparator | None
) -> tuple[list[Column], list[bool], int]:
    """The columns under the caption row at line `at`, which rows are sum rows, and the next line."""
    caption_line = page.lines[at]
    captions = caption_line.phrases
    columns = [Column(p, r) for p, r in zip(captions, roles, strict=True)]
    sum_rows: list[bool] = []
    last_bottom, height = caption_line.bottom, max(p.height for p in captions)
    index = at + 1
    left, right = captions[0].x0 - 30, captions[-1].x1 + 80
    while index < len(page.lines):
        line = page.lines[index]
        if line.top - last_bottom > ROW_GAP * height:
            break
        inside = [
            (p, c)
            for p, c in zip(line.phrases, line_cells(line, separator), strict=True)
            if p.x1 > left and p.x0 < right and not (len(p.text.strip()) == 1 and p.x0 > captions[-1].x1)
        ]  # one character right of the last caption: a letter of text printed up the margin
        phrases = [p for p, _ in inside]
        index += 1
        if not phrases:
            continue  # a line of another block beside the table (a total in a box on the right)
        cells = [Cell(c.value, c.percent, c.phrase, len(sum_rows)) for _, c in inside if c is not None]
        lone = len(cells) == 1 and len(phrases) == 1
        if len(cells) < 2 and not (lone and not any(sum_rows)):
            if _same_captions(phrases, captions):
                last_bottom = line.bottom  # the caption row printed again for the next rate (FatturaPA)
                continue
            break
        taken: set[int] = set()
        for cell in cells:
            column = _column_for(cell.phrase, captions)
            if column is not None and column not in taken:
                taken.add(column)
                columns[column].cells.append(cell)
        sum_rows.append(_sum_row(line, inside, separator))
        last_bottom = line.bottom
    return columns, sum_rows, index


def _sum_row(
    line: TextLine, inside: list[tuple[Phrase, Cell | None]], separator: DecimalSeparator | None
) -> bool:
    """Whether a row is the table's sum row: its first words say so ("Summe", "Total facture"),
    printed inside the table or further left, where the rows' own captions stand."""
    first, cell = inside[0]
    if cell is None:
        return bool(_SUM_ROW.match(fold(first.text)))
    label = line.phrases[0]
    return (
        label is not first
        and line_cells(line, separator)[0] is None
        and bool(_SUM_ROW.match(fold(label.text)))
    )


def _same_captions(phrases: list[Phrase], captions: list[Phrase]) -> bool:
    return [fold(p.text) for p in phrases] == [fold(p.text) for p in captions]


@dataclass(frozen=True)
class _Total:
    value: Decimal
    cells: tuple[Cell, ...]
    parts: tuple[Cell, ...]
    """The per-rate cells this value sums (not document amounts themselves)."""


def _document_value(column: Column, sum_rows: list[bool]) -> _Total | None:
    cells = column.cells
    if not cells:
        return None
    summed = [c for c in cells if sum_rows[c.row]]
    if len(summed) == 1:
        return _Total(summed[0].value, (summed[0],), tuple(c for c in cells if c is not summed[0]))
    if len(cells) >= 3:
        head = sum((c.value for c in cells[:-1]), Decimal("0"))
        if abs(head - cells[-1].value) <= TOLERANCE:
            return _Total(cells[-1].value, (cells[-1],), tuple(cells[:-1]))
    total = sum((c.value for c in cells), Decimal("0"))
    return _Total(total, tuple(cells), tuple(cells) if len(cells) > 1 else ())


def _candidate(total: _Total, confidence: float) -> Candidate:
    cells = total.cells
    boxes = [c.phrase.bbox() for c in cells]
    bbox = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return Candidate(
        total.value, confidence, cells[0].phrase.page, bbox, " + ".join(c.phrase.text for c in cells)
    )


def _rates_agree(rates: Column | None, nets: Column, taxes: Column) -> bool:
    """Per row, tax = rate × net (to the cent, rounded per row)."""
    if rates is None:
        return False
    by_row = {c.row: c.value for c in nets.cells}
    tax_by_row = {c.row: c.value for c in taxes.cells}
    checked = 0
    for cell in rates.cells:
        net, tax = by_row.get(cell.row), tax_by_row.get(cell.row)
        if net is None or tax is None:
            continue
        if abs(net * cell.value / 100 - tax) > Decimal("0.011") + abs(tax) * Decimal("0.0005"):
            return False
        checked += 1
    return checked > 0


def _plausible_rate(columns: list[Column]) -> Column | None:
    for column in columns:
        if column.role == "rate" and column.cells and all(c.value <= 30 for c in column.cells):
            return column
    return None


def _closing(
    by_role: dict[str, list[Column]], totals: dict[int, _Total | None], rates: Column | None
) -> tuple[Column, Column, Column | None] | None:
    """The net, tax and gross columns whose document values close (net + tax = gross at a plausible
    rate); else a net and tax column whose rows agree with the rate column (tax = rate × net)."""
    nets = by_role.get("net", []) or by_role.get("goods", [])
    for net in nets:
        n = totals[id(net)]
        for tax in by_role.get("tax", []):
            t = totals[id(tax)]
            if n is None or t is None or n.value == 0 or not 0 <= t.value / n.value <= MAX_RATE:
                continue
            for gross in by_role.get("gross", []):
                g = totals[id(gross)]
                if g is not None and abs(n.value + t.value - g.value) <= TOLERANCE:
                    return net, tax, gross
            if _rates_agree(rates, net, tax):
                return net, tax, None
    return None


def read_columns(
    columns: list[Column], sum_rows: list[bool], reading: TableReading, closed_only: bool = False
) -> None:
    """The document amounts a table's captioned columns give (see the module docstring); with
    `closed_only`, nothing unless net + tax = gross or the rates close."""
    rates = _plausible_rate(columns)
    totals = {id(c): _document_value(c, sum_rows) for c in columns}
    by_role: dict[str, list[Column]] = {}
    for column in columns:
        if column.role is not None and totals[id(column)] is not None and column is not rates:
            by_role.setdefault(column.role, []).append(column)
    best = _closing(by_role, totals, rates)
    if best is None and closed_only:
        return
    if best is None:
        for role in ("net", "tax", "gross"):
            for column in by_role.get(role, []):
                found = totals[id(column)]
                if found is not None:
                    reading.candidates.setdefault(_FIELD[role], []).append(_candidate(found, CAPTIONED))
        return
    for role, chosen in zip(("net", "tax", "gross"), best, strict=True):
        found = totals[id(chosen)] if chosen is not None else None
        if found is not None:
            reading.candidates.setdefault(_FIELD[role], []).append(_candidate(found, CLOSED))
        elif chosen is None:  # net and tax agree with the rates; the printed gross is read as printed
            for column in by_role.get(role, []):
                printed = totals[id(column)]
                if printed is not None:
                    reading.candidates.setdefault(_FIELD[role], []).append(_candidate(printed, CAPTIONED))
    for column in columns:
        found = totals[id(column)]
        if found is not None:
            reading.not_totals.extend((c.phrase.page, c.phrase.bbox()) for c in found.parts)
    if rates is not None:
        reading.not_totals.extend((c.phrase.page, c.phrase.bbox()) for c in rates.cells)


_FIELD = {"net": "subtotal", "tax": "tax", "gross": "total"}


def read_summary_tables(pages: list[PageText], separator: DecimalSeparator | None) -> TableReading:
    """Every summary table on the pages, read as captioned columns (see the module docstring)."""
    reading = TableReading()
    for page in pages:
        index = 0
        while index < len(page.lines):
            roles = _is_caption(page, index)
            if roles is None:
                index += 1
                continue
            columns, sum_rows, after = _read_table(page, index, roles, separator)
            if sum_rows:
                read_columns(columns, sum_rows, reading)
            index = max(after, index + 1)
    return reading


def outside(candidate: Candidate, boxes: list[tuple[int, tuple[float, float, float, float]]]) -> bool:
    """Whether a candidate's centre lies outside every given box on its page."""
    x = (candidate.bbox[0] + candidate.bbox[2]) / 2
    y = (candidate.bbox[1] + candidate.bbox[3]) / 2
    return not any(
        page == candidate.page and box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1
        for page, box in boxes
    )
