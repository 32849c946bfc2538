"""Reading a grid of captions over a row of values by *columns*, when the page's phrases run cells
together.

A header grid ("Numero documento | Data documento | …", "FATTURA N. | DATA | PAGAMENTO | SCADENZA",
"Modalità | IBAN | Istituto | Data scadenza | Importo") is printed as a row of captions over a row of
values. Narrow gaps make the text layer merge neighbouring cells into one phrase — a caption
("Istituto finanziario Data scadenza") or a value that overflows its cell ("Bonifico 30 gg
d.f.18 giugno 2026"). Here the caption row is split where the value row's cells start, each caption
names a column reaching to the next caption, and the value is read from the words of the row below
that fall in that column. Used only for a field that no label reading found.
"""

from __future__ import annotations

from agents.ap.extract.header_fields import BELOW, Candidate, Parser
from agents.ap.extract.page_text import PageText, Phrase, TextLine, Word
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

ALIGN = 3.0
"""Points within which a caption word and a value cell start in the same column."""
MAX_GAP = 2.5
"""The value row sits at most this many caption heights below the caption row."""
GRID_FIELDS = frozenset({"due_date", "po_number", "buyer_reference"})
"""Fields read from caption grids when no label reading found them."""
MERGED = 0.05
"""Taken off a value whose first word starts left of its column (a cell run into its neighbour)."""


def _captions(line: TextLine, below: TextLine) -> list[Phrase]:
    """The caption row's cells: its phrases, split where a word of the value row starts right under
    a caption word (a value cell, or a value run together with its neighbour)."""
    starts = [w.x0 for w in below.words]
    cells: list[Phrase] = []
    for phrase in line.phrases:
        group: list[Word] = []
        for word in phrase.words:
            if group and any(abs(word.x0 - x) <= ALIGN for x in starts):
                cells.append(Phrase(phrase.page, group))
                group = []
            group.append(word)
        cells.append(Phrase(phrase.page, group))
    return cells


def grid_candidates(
    pages: list[PageText], parsers: dict[str, Parser], wanted: frozenset[str] | set[str]
) -> dict[str, list[Candidate]]:
    """Values of the `wanted` fields read from caption grids, column by column."""
    found: dict[str, list[Candidate]] = {}
    for page in pages:
        for index, line in enumerate(page.lines[:-1]):
            below = page.lines[index + 1]
            if not line.phrases or not below.phrases:
                continue
            height = max(line.bottom - line.top, 1.0)
            if below.top - line.bottom > MAX_GAP * height:
                continue
            cells = _captions(line, below)
            labels = [(cell, match_label(fold(cell.text), HEADER_PATTERNS)) for cell in cells]
            named = [(cell, m) for cell, m in labels if m is not None and m[0] != "title_number"]
            captions_only = len(cells) >= 3 and not any(ch.isdigit() for ch in line.text)
            if len(named) < 2 and not (named and captions_only):
                continue  # one label over a line is a grid only in a row of three or more captions
            for position, (cell, matched) in enumerate(labels):
                if matched is None or matched[0] not in wanted or matched[1] < len(cell.text.rstrip(" :")):
                    continue  # a caption is the label and nothing else
                end = labels[position + 1][0].x0 if position + 1 < len(labels) else page.width
                candidate = _column_value(below, cell.x0, end, parsers[matched[0]])
                if candidate is not None:
                    found.setdefault(matched[0], []).append(candidate)
    return found


def _column_value(below: TextLine, start: float, end: float, parser: Parser) -> Candidate | None:
    words = [w for w in below.words if w.x1 > start + ALIGN and w.x0 < end - ALIGN]
    if not words:
        return None
    cell = Phrase(below.page, words)
    parsed = parser(cell.text)
    if parsed is None:
        return None
    value, first, last, valid = parsed
    confidence = BELOW - MERGED if words[0].x0 < start - ALIGN else BELOW
    return Candidate(value, confidence, below.page, cell.bbox(first, last), cell.text[first:last], valid)
