"""Summary rows drawn across the full width of the page: label at the left margin, amount at the right.

A telecom or utility bill opens with an overview ("Ihre Rechnung im Überblick", "Your bill at a
glance", "Récapitulatif de votre facture"): one row per charge group, then "Summe netto", "zzgl. 20 %
USt", "Rechnungsbetrag", each label at the left margin and its amount at the right one, further
apart than a label and its value ever stand elsewhere on a page. Such a row is read as a label and
its value when the amount is the only other thing on the line and stands in a column of amounts
(its right edge aligned with an amount on a neighbouring line): the column is what ties the two
ends of the row together. Read slightly below a value next to its label; the arithmetic (net + tax
= gross) is what confirms it.
"""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.page_text import PageText, TextLine
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

ROLES = ("subtotal", "tax", "total", "amount_due", "prepaid")
WIDE = 260.0
"""Gap beyond which the ordinary label reader does not look to the right (`header_fields`)."""
ALIGN = 3.0
CONFIDENCE = 0.85
_CURRENCY_ONLY = re.compile(r"[\s€$£¥]*(?:[A-Z]{3})?[\s€$£¥]*")
_RATE = re.compile(r"\d+(?:[.,]\d+)?\s?%")
"""A rate may follow a label in its phrase ("zzgl. 20 % USt"); up to two words too ("USt", "EUR")."""


def _amount(text: str, parser: Parser) -> tuple[object, int, int] | None:
    parsed = parser(text)
    if parsed is None:
        return None
    value, start, end, _ = parsed
    if not (_CURRENCY_ONLY.fullmatch(text[:start]) and _CURRENCY_ONLY.fullmatch(text[end:])):
        return None
    return value, start, end


def _in_column(page: PageText, index: int, right: float, parser: Parser) -> bool:
    for other in page.lines[max(0, index - 2) : index + 3]:
        if other is page.lines[index]:
            continue
        for phrase in other.phrases:
            if abs(phrase.x1 - right) <= ALIGN and _amount(phrase.text, parser) is not None:
                return True
    return False


def _row(line: TextLine) -> tuple[str, int] | None:
    folded = fold(line.phrases[0].text)
    matched = match_label(folded, HEADER_PATTERNS)
    if matched is None or matched[0] not in ROLES:
        return None
    return matched


def wide_summary_candidates(pages: list[PageText], parser: Parser) -> dict[str, list[Candidate]]:
    """Amounts of full-width summary rows, by the role their label names."""
    found: dict[str, list[Candidate]] = {}
    for page in pages:
        for index, line in enumerate(page.lines):
            if len(line.phrases) != 2:
                continue
            label, value = line.phrases
            if value.x0 - label.x1 <= WIDE:
                continue
            matched = _row(line)
            if matched is None:
                continue
            role, end = matched
            rest = _RATE.sub(" ", label.text[end:])
            if re.search(r"\d", rest) or len(re.findall(r"[^\W\d_]+", rest)) > 2:
                continue  # a longer sentence, not a label ("Rechnungsbetrag wird am … abgebucht")
            amount = _amount(value.text, parser)
            if amount is None or not _in_column(page, index, value.x1, parser):
                continue
            number, start, stop = amount
            found.setdefault(role, []).append(
                Candidate(number, CONFIDENCE, page.number, value.bbox(start, stop), value.text[start:stop])
            )
    return found
