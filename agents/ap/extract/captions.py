"""Captions printed *under* their values (``INV-123`` over ``Invoice number``), told apart from
labels printed above their values by the shape of the row or the column around the label."""

from __future__ import annotations

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.vocabulary import HEADER_PATTERNS, match_label

ALIGN = 6.0
"""Points within which phrases share a column (same left edge)."""
MAX_GAP = 2.5
"""A column ends at a vertical gap larger than this many line heights."""


def captions_under_values(page: PageText, line_index: int, phrase: Phrase) -> bool:
    """Whether the label `phrase` (on line `line_index`) is a caption under its value."""
    return _caption_row(page, line_index) or _caption_column(page, line_index, phrase)


def _is_field_label(folded: str) -> bool:
    """Whether a phrase (folded) is a label of a field (a document title such as "FACTURA" is not)."""
    matched = match_label(folded, HEADER_PATTERNS)
    return matched is not None and matched[0] != "title_number"


def _field_labels(line: TextLine) -> list[bool]:
    """`_is_field_label` of each phrase of the line, worked out once per line (every label of a
    row asks about the same row and the rows around it)."""
    found: list[bool] | None = line.memo.get("field_labels")
    if found is None:
        found = line.memo["field_labels"] = [_is_field_label(folded) for folded in folded_phrases(line)]
    return found


def _aligned_labels(line: TextLine, xs: list[float]) -> int:
    return sum(
        1
        for p, is_label in zip(line.phrases, _field_labels(line), strict=True)
        if any(abs(p.x0 - x) <= 6 for x in xs) and is_label
    )


def _caption_row(page: PageText, line_index: int) -> bool:
    """Whether the label's row is a row of captions printed *under* their values: the row above has
    values in the same columns and is itself not under a row of labels (where it would be the
    value row of a label-above grid)."""
    if line_index == 0:
        return False
    line = page.lines[line_index]
    xs = [p.x0 for p, is_label in zip(line.phrases, _field_labels(line), strict=True) if is_label]
    if len(xs) < 2:
        return False
    above = page.lines[line_index - 1]
    values = [p for p in above.phrases if any(abs(p.x0 - x) <= 6 for x in xs)]
    if len(values) < 2 or _aligned_labels(above, xs):
        return False
    for higher in reversed(page.lines[max(0, line_index - 5) : line_index - 1]):
        if any(abs(p.x0 - x) <= 6 for p in higher.phrases for x in xs):
            # the nearest aligned line above the values (lines of another block skipped) decides
            return not _aligned_labels(higher, xs)
    return True


def _caption_column(page: PageText, line_index: int, phrase: Phrase) -> bool:
    """A single column of value, caption, value, caption …: the phrases sharing the label's left
    edge on consecutive lines alternate value and label, starting with a value and ending with a
    label. (Labels stacked above values alternate the other way round: label first, value last.)"""
    column = [(line_index, True)]
    for step in (-1, 1):
        index, last = line_index, phrase
        while 0 <= index + step < len(page.lines):
            index += step
            line = page.lines[index]
            aligned = next(
                (
                    (p, is_label)
                    for p, is_label in zip(line.phrases, _field_labels(line), strict=True)
                    if abs(p.x0 - phrase.x0) <= ALIGN
                ),
                None,
            )
            if aligned is None:
                break
            gap = last.top - aligned[0].bottom if step < 0 else aligned[0].top - last.bottom
            if gap > MAX_GAP * max(phrase.height, 1.0):
                break
            last = aligned[0]
            entry = (index, aligned[1])
            column = [entry, *column] if step < 0 else [*column, entry]
    kinds = [is_label for _, is_label in column]
    if len(kinds) < 4 or kinds[0] or not kinds[-1]:
        return False
    return all(kinds[i] != kinds[i + 1] for i in range(len(kinds) - 1))


CLAIMED_FIELDS = frozenset({"po_number", "buyer_reference", "due_date", "invoice_number", "invoice_date"})
"""Reference and date labels, whose value above may be told as another label's (`claimed_above`)."""


def claimed_above(field: str, page: PageText, line_index: int, phrase: Phrase) -> bool:
    """Whether the value right above a reference or date label sits under a label of its own in the
    same column ("Date" / "10 mai 2026" / "Remboursement avant le" / "31 mai 2026", or a grid row of
    values under its captions): then it is that label's value, and this label's value is below."""
    if field not in CLAIMED_FIELDS or line_index < 2:
        return False
    value_line, label_line = page.lines[line_index - 1], page.lines[line_index - 2]
    if value_line.top - label_line.bottom > 1.5 * max(phrase.height, 1.0):
        return False
    labels = [match_label(folded, HEADER_PATTERNS) is not None for folded in folded_phrases(label_line)]
    caption_row = sum(labels) >= 2  # a row of captions: each of its cells names the value under it
    return any(
        abs(p.x0 - phrase.x0) <= 6 and (is_label or caption_row)
        for p, is_label in zip(label_line.phrases, labels, strict=True)
    )
