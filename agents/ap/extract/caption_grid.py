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

from bisect import bisect_left
from dataclasses import replace

from agents.ap.extract.header_fields import BELOW, Candidate, LabelHit, Parser
from agents.ap.extract.line_items import header_columns
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


def _captions(line: TextLine, below: TextLine) -> list[list[Word]]:
    """The caption row's cells: its phrases, split where a word of the value row starts right under
    a caption word (a value cell, or a value run together with its neighbour)."""
    starts = sorted([w.x0 for w in below.words])
    cells: list[list[Word]] = []
    for phrase in line.phrases:
        group = phrase.words[:1]
        for word in phrase.words[1:]:
            nearest = bisect_left(starts, word.x0 - ALIGN)
            if nearest < len(starts) and starts[nearest] <= word.x0 + ALIGN:
                cells.append(group)
                group = []
            group.append(word)
        cells.append(group)
    return cells


def grid_candidates(
    pages: list[PageText], parsers: dict[str, Parser], wanted: frozenset[str] | set[str]
) -> dict[str, list[Candidate]]:
    """Values of the `wanted` fields read from caption grids, column by column."""
    found: dict[str, list[Candidate]] = {}
    if not wanted:
        return found
    for page in pages:
        for index, line in enumerate(page.lines[:-1]):
            below = page.lines[index + 1]
            if len(line.words) < 2 or not below.phrases or header_columns(line) is not None:
                continue  # a line table's header: its columns hold one value per row (`purchase_order`)
            height = max(line.bottom - line.top, 1.0)
            if below.top - line.bottom > MAX_GAP * height or not _may_caption(line, wanted):
                continue
            cells = _captions(line, below)
            texts = [" ".join([w.text for w in cell]) for cell in cells]
            folded = [fold(text) for text in texts]
            if not any(_wanted_label(text, wanted) for text in folded):
                continue
            labels = [match_label(text, HEADER_PATTERNS) for text in folded]
            named = sum(1 for m in labels if m is not None and m[0] != "title_number")
            captions_only = len(cells) >= 3 and not any(ch.isdigit() for ch in line.text)
            if named < 2 and not captions_only:
                continue  # one label over a line is a grid only in a row of three or more captions
            for position, matched in enumerate(labels):
                if (
                    matched is None
                    or matched[0] not in wanted
                    or matched[1] < len(texts[position].rstrip(" :"))
                ):
                    continue  # a caption is the label and nothing else
                start = cells[position][0].x0
                end = cells[position + 1][0].x0 if position + 1 < len(cells) else page.width
                candidate = _column_value(below, start, end, parsers[matched[0]])
                if candidate is not None:
                    found.setdefault(matched[0], []).append(candidate)
    return found


def _may_caption(line: TextLine, wanted: frozenset[str] | set[str]) -> bool:
    """Whether a label of a wanted field may begin at one of the line's words: a caption cell starts
    at a word, so a line where none can is no caption row for them (and is not cut into cells)."""
    fields_at = HEADER_PATTERNS.fields_at
    for word in line.words:  # a plain loop, no generator: asked of most lines of every page
        if not fields_at(fold(word.text)).isdisjoint(wanted):
            break
    else:
        return False
    return True


def _wanted_label(folded: str, wanted: frozenset[str] | set[str]) -> bool:
    """Whether a label of a wanted field begins a cell's folded text (`fields_at` asked first: most
    cells of the lines `_may_caption` lets through can begin none, and need no match)."""
    if HEADER_PATTERNS.fields_at(folded).isdisjoint(wanted):
        return False
    matched = match_label(folded, HEADER_PATTERNS)
    return matched is not None and matched[0] in wanted


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


SCHEDULE = 0.8
"""A due date read from a payment schedule under its title (the first instalment when several)."""


def schedule_candidates(pages: list[PageText], hits: list[LabelHit], parser: Parser) -> list[Candidate]:
    """A payment schedule: a due title ("Scadenze", "Vencimientos", "Fälligkeiten", "Échéances")
    over a caption row naming a date column ("Data | Importo"), the date in the first row below."""
    found: list[Candidate] = []
    for hit in hits:
        if hit.field != "due_date" or hit.phrase.text[hit.label_end :].strip(" :"):
            continue  # a title is the label alone
        page = pages[hit.phrase.page - 1]
        if hit.line_index + 2 >= len(page.lines):
            continue
        captions, values = page.lines[hit.line_index + 1], page.lines[hit.line_index + 2]
        height = max(hit.phrase.height, 1.0)
        if (
            captions.top - hit.phrase.bottom > MAX_GAP * height
            or values.top - captions.bottom > MAX_GAP * height
        ):
            continue
        for position, phrase in enumerate(captions.phrases):
            matched = match_label(fold(phrase.text), HEADER_PATTERNS)
            if matched is None or matched[0] != "invoice_date" or abs(phrase.x0 - hit.phrase.x0) > 300:
                continue
            end = captions.phrases[position + 1].x0 if position + 1 < len(captions.phrases) else page.width
            candidate = _column_value(values, phrase.x0, end, parser)
            if candidate is not None:
                found.append(replace(candidate, confidence=SCHEDULE))
            break
    return found
