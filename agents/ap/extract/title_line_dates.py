"""An invoice date printed beside the invoice's title or number, introduced only by "le / am / del …".

Craftsmen's and small firms' invoices put the date at the right end of the title line: "FACTURE N°
260823 …… Le 3 mars 2026", "RECHNUNG 2026-114 …… am 03.03.2026", "FACTURA 26/114 …… del 3 de marzo
de 2026", "FACTUUR 2026-114 …… op 3 maart 2026". No label names it; the word that dates a document
and its place on the line of the document's own number do. Read only when no label names the
invoice date, from a phrase that is that word and a date and nothing else, below the auto-post
threshold.
"""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate, LabelHit, Parser
from agents.ap.extract.page_text import PageText
from agents.ap.extract.vocabulary import fold

TITLE_LINE_DATE = 0.85
_DATING_WORD = re.compile(r"(?:le|du|vom|am|den|del|el|dated|on|of|op|van|d\.d\.|il|issued)\s+")
_NUMBER_FIELDS = frozenset({"invoice_number", "title_number"})


def title_line_date(pages: list[PageText], hits: list[LabelHit], parser: Parser) -> Candidate | None:
    """The date on the line of the invoice's number label, after a dating word (see above)."""
    by_page = {page.number: page for page in pages}
    for hit in hits:
        if hit.field not in _NUMBER_FIELDS:
            continue
        page = by_page.get(hit.phrase.page)
        if page is None:
            continue
        line = page.lines[hit.line_index]
        for phrase in line.phrases[hit.phrase_index + 1 :]:
            word = _DATING_WORD.match(fold(phrase.text))
            if word is None:
                continue
            rest = phrase.text[word.end() :]
            parsed = parser(rest)
            if parsed is None or parsed[1] != 0 or rest[parsed[2] :].strip(" ."):
                continue
            start, end = parsed[1] + word.end(), parsed[2] + word.end()
            return Candidate(
                parsed[0], TITLE_LINE_DATE, page.number, phrase.bbox(start, end), phrase.text[start:end]
            )
    return None
