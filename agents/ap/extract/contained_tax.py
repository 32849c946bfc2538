"""Gross-price invoices print the total and only the tax it *contains* ("darin enthaltene MwSt.
19 % 3,19", "in diesem Beitrag enthaltene Versicherungsteuer (35,13 €)", "dont TVA 20 %", "incl.
VAT", "waarvan btw"), never a net amount. The net amount is then the total less that tax: a value
computed, not printed, so it is reported below the auto-post threshold whatever the others' scores.
"""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import PageText
from agents.ap.extract.vocabulary import fold

DERIVED = 0.7
"""Confidence of a net amount computed as total − contained tax."""
MAX_RATE = 0.30
_CONTAINED = re.compile(
    r"\b(?:darin\s*|davon\s*)?enthalten|\binkl(?:\.|usive)?\b|\bincl(?:\.|uded|uding|usive)?\b|\bincludes?\b"
    r"|\bdont\b|\bwaarvan\b|\bdi\s*cui\b|\bincluid[oa]\b|\bcomprise?\b"
)


def _contained(tax: Candidate, pages: list[PageText]) -> bool:
    """Whether the tax's own line calls it the tax contained in the price (not one added to it)."""
    page = pages[tax.page - 1] if 0 < tax.page <= len(pages) else None
    if page is None:
        return False
    middle = (tax.bbox[1] + tax.bbox[3]) / 2
    line = next((line for line in page.lines if line.top - 1 <= middle <= line.bottom + 1), None)
    return line is not None and _CONTAINED.search(fold(line.text)) is not None


def net_from_contained_tax(
    values: dict[str, Candidate | None], pages: list[PageText]
) -> dict[str, Candidate | None]:
    """Fill a missing net amount as total − contained tax (see the module docstring)."""
    total, tax = values.get("total"), values.get("tax")
    if values.get("subtotal") is not None or total is None or tax is None or tax.value <= 0:
        return values
    net = total.value - tax.value
    if net <= 0 or float(tax.value / net) > MAX_RATE or not _contained(tax, pages):
        return values
    derived = Candidate(net, DERIVED, tax.page, tax.bbox, f"{total.text} − {tax.text} (tax contained)")
    return {**values, "subtotal": derived}
