"""Counts are not amounts: a sum row under a line-item table ("Total | 1 | 278.61 | 40.39 | 319.00")
repeats the quantity column's count beside the amounts, and a label reader that takes the first
number right of "Total" reads the count. Whole numbers printed in a quantity column (under a header
naming ``Qty``, ``Menge``, ``Quantité`` …) are never a document amount.
"""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.page_text import PageText

MARGIN = 6.0
"""Points either side of the quantity caption within which a count counts as under it."""
_WHOLE = re.compile(r"[-−]?\d+")


def quantity_columns(pages: list[PageText]) -> list[tuple[int, tuple[float, float, float, float]]]:
    """The boxes under each quantity caption of a line-item header, to the foot of its page."""
    boxes: list[tuple[int, tuple[float, float, float, float]]] = []
    for page in pages:
        for line in page.lines:
            for name, x0, x1 in header_columns(line) or ():
                if name == "quantity":
                    boxes.append((page.number, (x0 - MARGIN, line.bottom, x1 + MARGIN, page.height)))
    return boxes


def is_count(candidate: Candidate, columns: list[tuple[int, tuple[float, float, float, float]]]) -> bool:
    """Whether a candidate is a whole number printed in a quantity column."""
    if not _WHOLE.fullmatch(candidate.text.strip()):
        return False
    x = (candidate.bbox[0] + candidate.bbox[2]) / 2
    return any(
        page == candidate.page and box[0] <= x <= box[2] and box[1] <= candidate.bbox[1] <= box[3]
        for page, box in columns
    )
