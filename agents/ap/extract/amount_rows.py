"""Totals rows read across the page: a label at the left of a full-width totals block and its amount
at the right edge (``Zwischensumme .......... 202,76``, ``Total for this invoice ...... $4.11``), or
with the currency set in a cell of its own (``Totaal bedrag incl. BTW | € | 37,51``).

The label reader stops looking right of a label after a bounded gap and at the first phrase that is
no value: both are right for header blocks, where the phrase far to the right belongs to another
column. In a totals row the amount is the *only* other thing on the line (or the last thing before
the next label), so it can be taken at any distance. A row with more numbers after the label is a
table row (counts, rates, bases) and is left to the table readers; a label phrase that carries
digits of its own ("USt 7 % von 129,37"; a rate, "incl. VAT at 20 %", or a date, "Stand
04.03.2014", does not count) is left to the rate-line reader.

An arrears line (``Ausstehende Forderung``, ``Previous balance``, ``Solde antérieur``) is read here
too, at any distance: an earlier balance still owed, which the amount due adds to the total.
"""

from __future__ import annotations

import re

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.numbers import DecimalSeparator, without_dates
from agents.ap.extract.page_text import PageText
from agents.ap.extract.rate_lines import holds_no_document_amount
from agents.ap.extract.summary_tables import numeric_cell
from agents.ap.extract.vocabulary import HEADER_PATTERNS, match_label

ROLES = frozenset({"subtotal", "tax", "total", "amount_due", "prepaid", "arrears"})
"""``arrears`` (an unpaid earlier balance added to what is due) has no reader of its own elsewhere."""
ACROSS = 0.85
"""Confidence of an amount read across a totals row (a label, then nothing but the amount)."""
WORDS_AFTER_LABEL = 0.1
"""Taken off when the label phrase goes on in words ("Total for this invoice")."""
NEAR = 260.0
"""Within this gap and without a currency cell between, the label reader reads the row itself."""
_CURRENCY_CELL = re.compile(r"^\s*(?:[A-Z]{3}|[€$£¥₹]|Rs\.?|kr\.?|Fr\.?|CHF|zł)\s*$")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_WORDS = re.compile(r"[^\W\d_]{2,}")


def _label(folded: str) -> tuple[str, float] | None:
    """The totals role a phrase's folded text (`folded_phrases`: folded once per line) labels."""
    matched = match_label(folded, HEADER_PATTERNS)
    if matched is None or matched[0] not in ROLES:
        return None
    rest = _PERCENT.sub(" ", without_dates(folded[matched[1] :]))
    if any(char.isdigit() for char in rest):
        return None
    return matched[0], ACROSS - (WORDS_AFTER_LABEL if _WORDS.search(rest) else 0.0)


def amounts_across(pages: list[PageText], separator: DecimalSeparator | None) -> dict[str, list[Candidate]]:
    """Amount candidates of totals rows the label reader cannot reach (see the module docstring)."""
    found: dict[str, list[Candidate]] = {}
    for page in pages:
        for line in page.lines:
            if len(line.phrases) < 2 or header_columns(line) is not None or holds_no_document_amount(line):
                continue
            phrases, folded = line.phrases, folded_phrases(line)
            for at, phrase in enumerate(phrases[:-1]):
                label = _label(folded[at])
                if label is None:
                    continue
                after = range(at + 1, len(phrases))
                currency = [phrases[i] for i in after if _CURRENCY_CELL.match(phrases[i].text)]
                rest = [i for i in after if not _CURRENCY_CELL.match(phrases[i].text)]
                if not rest:
                    continue
                value = phrases[rest[0]]
                cell = numeric_cell(value, separator, 0)
                if cell is None or cell.percent:
                    continue
                if len(rest) > 1 and match_label(folded[rest[1]], HEADER_PATTERNS) is None:
                    continue  # more than the amount after the label: a table row
                between = [p for p in currency if p.x0 < value.x0]
                if value.x0 - phrase.x1 <= NEAR and not between and label[0] != "arrears":
                    continue  # the label reader reads this row
                field, confidence = label
                found.setdefault(field, []).append(
                    Candidate(cell.value, confidence, page.number, value.bbox(), value.text)
                )
    return found
