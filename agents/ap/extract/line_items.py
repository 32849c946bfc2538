"""Line items from the table on the page: find the header row by its column vocabulary, cut columns
at the vertical whitespace the rows share, and read rows until the totals — page after page, so a
table continuing over several pages (with its header repeated, and carried-forward rows) is one list.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from agents.ap.extract.identifiers import CURRENCY_CODES
from agents.ap.extract.numbers import DecimalSeparator, find_amounts, parse_number
from agents.ap.extract.page_text import PageText, TextLine, Word
from agents.ap.extract.vocabulary import COLUMN_PATTERNS, HEADER_PATTERNS, fold, match_label

STOP_FIELDS = frozenset({"subtotal", "tax", "total"})
RIVER = 0.45
"""A vertical gap shared by all rows, wider than this fraction of the row height, separates columns."""


@dataclass
class Column:
    name: str
    x0: float
    x1: float
    """The x-band the column's cells occupy."""
    label_x1: float = 0.0
    """Right edge of the header label (numeric columns are right-aligned to about here)."""


@dataclass
class RawLine:
    """One table row as read: cell texts with their words, per column name."""

    page: int
    cells: dict[str, list[Word]] = field(default_factory=dict)

    def text(self, column: str) -> str:
        return " ".join(word.text for word in self.cells.get(column, []))

    def bbox(self, column: str) -> tuple[float, float, float, float] | None:
        words = self.cells.get(column)
        if not words:
            return None
        return (
            round(min(w.x0 for w in words), 2),
            round(min(w.top for w in words), 2),
            round(max(w.x1 for w in words), 2),
            round(max(w.bottom for w in words), 2),
        )


def header_columns(line: TextLine) -> list[tuple[str, float, float]] | None:
    """The table columns named by a header row, or None if the row is not a table header."""
    if "header" not in line.memo:
        line.memo["header"] = _header_columns(line)
    found: list[tuple[str, float, float]] | None = line.memo["header"]
    return found


_HEADER_NEEDS = (
    frozenset({"amount"}),
    frozenset({"description", "pos"}),
    frozenset({"quantity", "unit_price"}),
)
"""Columns a header row names one of each group of (a lone ``pos`` column is read as the description)."""


def _header_columns(line: TextLine) -> list[tuple[str, float, float]] | None:
    words = line.words
    if len(words) < 3 or _numbered(words):
        return None  # item rows carry numbers; header rows carry words
    folded = [fold(word.text) for word in words]
    fields: set[str] = set()
    for text in folded:  # a label matched below begins at a word: its field is one `fields_at` gives
        fields.update(COLUMN_PATTERNS.fields_at(text))
    if any(fields.isdisjoint(group) for group in _HEADER_NEEDS):
        return None  # a header the checks at the end would refuse, without matching a label
    apart = [b.x0 - a.x1 > 0.8 * (a.bottom - a.top) for a, b in itertools.pairwise(words)]
    found: list[tuple[str, float, float]] = []
    index = 0
    while index < len(words):
        best: tuple[str, int] | None = None
        if COLUMN_PATTERNS.may_start(folded[index]):  # else no label, of any length, starts here
            for span in (4, 3, 2, 1):
                if index + span > len(words) or any(apart[index : index + span - 1]):
                    continue
                text = " ".join(folded[index : index + span])
                matched = match_label(text, COLUMN_PATTERNS)
                if matched and matched[1] >= len(text.rstrip(":. ")):
                    best = (matched[0], span)
                    break
        if best is None:
            index += 1
            continue
        group = words[index : index + best[1]]
        found.append((best[0], group[0].x0, group[-1].x1))
        index += best[1]
    names = [name for name, _, _ in found]
    if names.count("pos") and "description" not in names:
        names = ["description" if n == "pos" else n for n in names]
        found = [(n, a, b) for n, (_, a, b) in zip(names, found, strict=True)]
    if "amount" not in names or "description" not in names:
        return None
    if "quantity" not in names and "unit_price" not in names:
        return None
    if len(set(names)) != len(names):
        return None
    return found


def _numbered(words: list[Word]) -> bool:
    """Whether more than one of the words carries a digit."""
    numbered = 0
    for word in words:
        if not word.text.isalpha() and any(map(str.isdigit, word.text)):
            numbered += 1
            if numbered > 1:
                return True
    return False


def _is_stop(line: TextLine) -> bool:
    for phrase in line.phrases:
        matched = match_label(fold(phrase.text), HEADER_PATTERNS)
        if matched and matched[0] in STOP_FIELDS:
            return True
    return False


def _cut_columns(
    header: list[tuple[str, float, float]], rows: list[TextLine], header_line: TextLine
) -> list[Column]:
    """Assign x-bands to header labels using whitespace rivers shared by the header and all rows."""
    spans = sorted((w.x0, w.x1) for line in [header_line, *rows] for w in line.words)
    height = max(header_line.bottom - header_line.top, 1.0)
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if bands and x0 - bands[-1][1] <= RIVER * height:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    columns: list[Column] = []
    for band in bands:
        inside = [(n, a, b) for n, a, b in header if a < band[1] and b > band[0]]
        if not inside:
            # no label above it: overflow of the column to its left (wide spaces in monospaced
            # fonts split a long description into several bands)
            if columns:
                columns[-1].x1 = band[1]
            continue
        if len(inside) == 1:
            columns.append(Column(inside[0][0], band[0], band[1], inside[0][2]))
            continue
        edges = (
            [band[0]]
            + [_widest_gap(rows, inside[i], inside[i + 1]) for i in range(len(inside) - 1)]
            + [band[1]]
        )
        columns.extend(Column(n, edges[i], edges[i + 1], b) for i, (n, _, b) in enumerate(inside))
    return columns


def _widest_gap(
    rows: list[TextLine], left: tuple[str, float, float], right: tuple[str, float, float]
) -> float:
    """Where to cut between two header labels whose cells touch: the widest x-range between them
    that no body word covers (a long description running up to a right-aligned quantity), else the
    midpoint between the labels."""
    low, high = left[1], right[2]
    spans = sorted(
        (max(w.x0, low), min(w.x1, high)) for line in rows for w in line.words if w.x1 > low and w.x0 < high
    )
    best, cut = 0.0, (left[2] + right[1]) / 2
    if not spans:
        return cut
    reach = spans[0][0]
    for x0, x1 in spans:
        if x0 - reach > best:
            best, cut = x0 - reach, (x0 + reach) / 2
        reach = max(reach, x1)
    return cut


NUMERIC_COLUMNS = frozenset({"quantity", "unit_price", "amount"})
_NUMERIC_WORD = re.compile(r"^[-−(]?[\d.,'’()%€$£-]*\d[\d.,'’()%€$£-]*$|^[€$£]$")


def _is_numeric(text: str) -> bool:
    return bool(_NUMERIC_WORD.match(text)) or text in CURRENCY_CODES


def _distance(column: Column, centre: float) -> float:
    if column.x0 - 1 <= centre <= column.x1 + 1:
        return 0.0
    return min(abs(centre - column.x0), abs(centre - column.x1))


def _assign(line: TextLine, columns: list[Column], page: int) -> RawLine:
    """Put each word in the column whose band holds it; a word that is not a number never lands in
    a numeric column (a long description running up to the quantity stays a description)."""
    raw = RawLine(page)
    text_columns = [c for c in columns if c.name not in NUMERIC_COLUMNS]
    for word in line.words:
        centre = (word.x0 + word.x1) / 2
        target = min(columns, key=lambda c: _distance(c, centre))
        if target.name in NUMERIC_COLUMNS and text_columns and not _is_numeric(word.text):
            # beyond the right-aligned edge → the text column to the right, else the one to the left
            if word.x0 > target.label_x1:
                side = [c for c in text_columns if c.x0 >= target.x0] or text_columns
            else:
                side = [c for c in text_columns if c.x1 <= target.x1] or text_columns
            target = min(side, key=lambda c: _distance(c, centre))
        raw.cells.setdefault(target.name, []).append(word)
    return raw


def _body(page: PageText, start: int, pitch: float) -> tuple[list[TextLine], int, bool]:
    """Lines of a table body from `start`: until the totals, a header, or a wide vertical gap.
    Returns the lines, where reading stopped, and whether the table ended (totals reached)."""
    body: list[TextLine] = []
    last_bottom = page.lines[start].top - pitch
    index = start
    while index < len(page.lines):
        line = page.lines[index]
        if _is_stop(line):
            return body, index, True
        if line.top - last_bottom > 3.5 * pitch or header_columns(line):
            break
        body.append(line)
        last_bottom = line.bottom
        index += 1
    return body, index, False


def _is_item(raw: RawLine) -> bool:
    return _number(raw.text("amount"), None) is not None and (
        _number(raw.text("quantity"), None) is not None or _number(raw.text("unit_price"), None) is not None
    )


def table_rows(pages: list[PageText]) -> list[RawLine]:
    """Rows of every line-item table segment across pages, in reading order.

    A table that runs off the bottom of a page without reaching its totals continues on the next
    page — under a repeated header, or (when the header is not repeated) in the same columns from
    the first line there that reads as an item row.
    """
    rows: list[RawLine] = []
    running: tuple[list[Column], float] | None = None
    for page in pages:
        index = 0
        if running is not None and not any(header_columns(line) for line in page.lines):
            columns, pitch = running
            first = next(
                (i for i, line in enumerate(page.lines) if _is_item(_assign(line, columns, page.number))),
                None,
            )
            if first is None:
                continue
            body, index, ended = _body(page, first, pitch)
            rows.extend(_assign(line, columns, page.number) for line in body)
            running = None if ended else running
            continue
        running = None
        while index < len(page.lines):
            header = header_columns(page.lines[index])
            if header is None:
                index += 1
                continue
            header_line = page.lines[index]
            pitch = header_line.bottom - header_line.top
            body, index, ended = (
                _body(page, index + 1, pitch) if index + 1 < len(page.lines) else ([], index + 1, True)
            )
            columns = _cut_columns(header, body, header_line)
            rows.extend(_assign(line, columns, page.number) for line in body)
            running = None if ended else (columns, pitch)
    return rows


@dataclass
class ParsedRow:
    raw: RawLine
    description: str
    quantity: Decimal | None
    unit: str | None
    unit_price: Decimal | None
    amount: Decimal | None
    po_line: str | None


def parse_rows(rows: list[RawLine], separator: DecimalSeparator | None) -> list[ParsedRow]:
    """Rows that are line items (an amount and a quantity or price); wrapped descriptions join the row above."""
    items: list[ParsedRow] = []
    for raw in rows:
        amount = _number(raw.text("amount"), separator)
        quantity = _number(raw.text("quantity"), separator)
        price = _number(raw.text("unit_price"), separator)
        description = raw.text("description")
        if amount is None and quantity is None and price is None:
            if description and items and not raw.text("pos"):
                items[-1].description += " " + description
            continue
        if amount is None or (quantity is None and price is None):
            continue  # carried-forward / subtotal rows inside the table
        unit = raw.text("unit") or None
        items.append(ParsedRow(raw, description, quantity, unit, price, amount, raw.text("po_line") or None))
    return items


_PERCENTAGE = re.compile(r"[-−]?\d+(?:[.,]\d+)?\s*%")
"""A VAT rate standing in a column of its own that the header does not name (``MWST``) lands in the
nearest numeric column: a percentage is never a quantity, price or amount."""


def _number(text: str, separator: DecimalSeparator | None) -> Decimal | None:
    if "%" in text:
        text = _PERCENTAGE.sub(" ", text).strip()
    if not text:
        return None
    direct = parse_number(text.replace("€", "").replace("$", "").replace("£", "").strip(), separator)
    if direct is not None:
        return direct
    found = find_amounts(text, separator)
    return found[-1][0] if found else None
