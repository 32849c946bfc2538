"""VAT breakdowns printed with the captions in the left column and one column per rate (often in a
box at the right of the page)::

    MwSt-Satz      7 %      19 %     Gesamt
    Netto       100,00    200,00     300,00
    MwSt          7,00     38,00      45,00
    Brutto      107,00    238,00     345,00

Each captioned line is read as a column of `summary_tables` turned sideways (the rate line is the
rate column; a last value that is the sum of the others is the sum column). Unlike a caption row,
a caption column is only trusted when its net, tax and gross lines close: two lines of
``MwSt 19 % | 100,00 | 19,00`` are per-rate tax lines, not a table (`rate_lines` reads those).
"""

from __future__ import annotations

from agents.ap.extract.numbers import DecimalSeparator
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.summary_tables import (
    ROW_GAP,
    Cell,
    Column,
    TableReading,
    line_cells,
    looks_numeric,
    read_columns,
    role_of,
)

ALIGN = 12.0
"""Right edges of cells of one column differ by at most this (points)."""


def _captioned(line: TextLine, separator: DecimalSeparator | None) -> tuple[Phrase, list[Cell]] | None:
    """A line of a caption-column table: a caption, then at least two numeric cells."""
    if len(line.phrases) < 3:
        return None
    looks_first, *looks_rest = looks_numeric(line)
    if looks_first or not all(looks_rest) or role_of(line.phrases[0].text) is None:
        return None
    first, *rest = line_cells(line, separator)
    if first is not None or any(c is None for c in rest):
        return None
    return line.phrases[0], [c for c in rest if c is not None]


def _block(
    page: PageText, at: int, separator: DecimalSeparator | None
) -> tuple[list[tuple[Phrase, list[Cell]]], int]:
    """The consecutive captioned lines from line `at` and the index after them."""
    block: list[tuple[Phrase, list[Cell]]] = []
    index, last_bottom = at, None
    while index < len(page.lines):
        line = page.lines[index]
        found = _captioned(line, separator)
        if found is None or (last_bottom is not None and line.top - last_bottom > ROW_GAP * found[0].height):
            break
        block.append(found)
        last_bottom = line.bottom
        index += 1
    return block, index


def _columns(block: list[tuple[Phrase, list[Cell]]]) -> list[Column] | None:
    """Each captioned line as a column, its cells numbered by the rate column they stand in."""
    anchors = max((cells for _, cells in block), key=len)
    columns: list[Column] = []
    for caption, cells in block:
        column = Column(caption, role_of(caption.text))
        for cell in cells:
            at = next((i for i, a in enumerate(anchors) if abs(a.phrase.x1 - cell.phrase.x1) <= ALIGN), None)
            if at is None:
                return None  # not one grid
            column.cells.append(Cell(cell.value, cell.percent, cell.phrase, at))
        columns.append(column)
    return columns


def read_caption_column_tables(
    pages: list[PageText], separator: DecimalSeparator | None, reading: TableReading
) -> None:
    """Add every closing caption-column table on the pages to `reading`."""
    for page in pages:
        index = 0
        while index < len(page.lines):
            block, after = _block(page, index, separator)
            if len(block) >= 2:
                columns = _columns(block)
                width = max(len(cells) for _, cells in block)
                if columns is not None:
                    read_columns(columns, [False] * width, reading, closed_only=True)
            index = max(after, index + 1)
