"""The value printed beside a label in a larger font: one visual row, two text lines.

A table cell set top-aligned ("Rechnungsnummer" in 7 pt, "471102" in 12 pt beside it) puts label and
value on different baselines, so the line grouping (one line = one baseline, which keeps a tall title
apart from the two small rows beside it) gives them separate lines. Read across the row instead: the
nearest phrase to the label's right whose height covers most of the label's, provided no other line
of the label's column shares that phrase's height (a 16 pt title beside two stacked 9 pt rows belongs
to neither row).
"""

from __future__ import annotations

from agents.ap.extract.page_text import PageText, Phrase

REACH = 2
"""Lines above and below the label's own line that may hold its larger-font value."""
SHARED = 0.6
"""Share of the smaller of the two heights that label and value must overlap vertically."""
FOREIGN = 0.25
"""Another line in the label's column overlapping the value by this share of its height claims it too."""
MAX_DISTANCE = 260.0
"""Points between the label's right edge and the value's left edge."""


def _overlap(a: Phrase, b: Phrase) -> float:
    return min(a.bottom, b.bottom) - max(a.top, b.top)


def row_partner(page: PageText, line_index: int, label: Phrase) -> Phrase | None:
    """The phrase on a neighbouring line that sits in the label's visual row, right of it."""
    lines = page.lines
    around = range(max(0, line_index - REACH), min(len(lines), line_index + REACH + 1))
    best: Phrase | None = None
    best_index = -1
    for index in around:
        if index == line_index:
            continue
        for phrase in lines[index].phrases:
            if phrase.x0 < label.x1 - 1 or phrase.x0 - label.x1 > MAX_DISTANCE:
                continue
            if _overlap(phrase, label) < SHARED * min(phrase.height, label.height):
                continue
            if best is None or phrase.x0 < best.x0:
                best, best_index = phrase, index
    if best is None or best.height <= label.height:
        return None  # only a larger font breaks a row in two; same-size neighbours are other rows
    if any(p.x1 > label.x1 + 1 and p.x0 < best.x0 for p in lines[line_index].phrases):
        return None  # something printed between the label and the value on the label's own line
    for index in around:
        if index in (line_index, best_index):
            continue
        for phrase in lines[index].phrases:
            if (
                phrase.x0 < best.x0
                and phrase.x1 > label.x0
                and _overlap(phrase, best) > FOREIGN * phrase.height
            ):
                return None  # the value spans two rows of the label's column: a title, not a value
    return best
