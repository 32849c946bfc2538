"""Labels that only mean something under the line above them: a sentence broken into a column.

"Rechnung Nr. 42 vom 31.01.2014" is often printed stacked::

    Rechnung
    Nr.        42
    vom        31.01.2014

A bare "Nr." / "No." / "N°" is the invoice number only right under a document title, and a bare
connector ("vom", "du", "del", "van", "d.d.", "dated", "de fecha") is the invoice date only right
under an invoice-number label. Elsewhere these words stay unlabelled (an item number, a service
period "du 01/02 au 28/02").
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import TITLE_PENALTY, Candidate, LabelHit, Parser, read_values
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.page_text import PageText, TextLine
from agents.ap.extract.vocabulary import DOCUMENT_TITLES

BARE_NUMBER = re.compile(r"(?:no|nr|n[°o]|num|number|nummer|numero|#)(?![a-z0-9])\s*[:#.]?\s*")
CONNECTOR = re.compile(r"(?:vom|du|del|van|d\.\s?d|dated|de\s+fecha|en\s+date\s+du)(?![a-z0-9])\s*[:.]?\s*")
NUMBER_FIELDS = frozenset({"invoice_number", "title_number"})
MAX_GAP = 2.5
"""At most this many line heights between the stacked line and the one it continues."""
MAX_SHIFT = 40.0
"""The stacked label starts within this many points of the line it continues."""


def _under(line: TextLine, above: TextLine) -> bool:
    if not line.phrases or not above.phrases:
        return False
    first, previous = line.phrases[0], above.phrases[0]
    return abs(first.x0 - previous.x0) <= MAX_SHIFT and 0 <= first.top - previous.bottom <= MAX_GAP * max(
        first.height, 1.0
    )


def stacked_candidates(
    pages: list[PageText], hits: list[LabelHit], parsers: dict[str, Parser]
) -> dict[str, list[Candidate]]:
    """Invoice number and date candidates from bare labels stacked under a title or a number label."""
    found: dict[str, list[Candidate]] = {}
    number_lines = {(h.phrase.page, h.line_index) for h in hits if h.field in NUMBER_FIELDS}
    for page in pages:
        for index, line in enumerate(page.lines[1:], start=1):
            above = page.lines[index - 1]
            if not _under(line, above):
                continue
            phrase, folded = line.phrases[0], folded_phrases(line)[0]
            bare = BARE_NUMBER.match(folded)
            if bare and DOCUMENT_TITLES.match(folded_phrases(above)[0].strip()):
                hit = LabelHit("invoice_number", phrase, bare.end(), index, 0)
                numbers = read_values(hit, page, parsers["invoice_number"], adjacent=True)
                found.setdefault("invoice_number", []).extend(
                    Candidate(
                        c.value, round(c.confidence - TITLE_PENALTY, 3), c.page, c.bbox, c.text, c.valid
                    )
                    for c in numbers[:1]
                )
                if numbers:
                    number_lines.add((page.number, index))
                continue
            connector = CONNECTOR.match(folded)
            if connector and (page.number, index - 1) in number_lines:
                hit = LabelHit("invoice_date", phrase, connector.end(), index, 0)
                found.setdefault("invoice_date", []).extend(
                    read_values(hit, page, parsers["invoice_date"], adjacent=True)[:1]
                )
    return found


BARE_ONLY = 0.8
"""Confidence of a number read under a bare "Número" / "No." when the document has no number label."""


def bare_number_candidates(pages: list[PageText], parsers: dict[str, Parser]) -> list[Candidate]:
    """Fallback for a document with a title but no invoice-number label: a bare "No." / "Número" /
    "Nummer" label of the header (not a table's column) names the invoice number. Capped below
    the auto-post threshold: the label alone does not say whose number it is."""
    titled = any(
        DOCUMENT_TITLES.match(folded.strip())
        for page in pages[:1]
        for line in page.lines[:25]
        for folded in folded_phrases(line)
    )
    if not titled:
        return []
    found: list[Candidate] = []
    for page in pages[:1]:
        for index, line in enumerate(page.lines):
            if header_columns(line) is not None:
                break  # the header ends where the line table starts
            for phrase_index, (phrase, folded) in enumerate(
                zip(line.phrases, folded_phrases(line), strict=True)
            ):
                bare = BARE_NUMBER.fullmatch(folded) or BARE_NUMBER.match(folded)
                if bare is None:
                    continue
                hit = LabelHit("invoice_number", phrase, bare.end(), index, phrase_index)
                found.extend(
                    replace(c, confidence=min(c.confidence, BARE_ONLY))
                    for c in read_values(hit, page, parsers["invoice_number"])[:1]
                )
    return found
