"""Numbers and dates that belong to *another* document the invoice names.

A corrective invoice or credit note cites the invoice it corrects: "Factura rectificada: F2025-0211
de fecha 11 de noviembre de 2025", "rectifica a la factura nº X de fecha Y", "corrects invoice 4711
dated 02/03/2026", "Korrektur zu Rechnung 4711 vom 02.03.2026", "Avoir sur facture F-12 du 2 mars
2026", "Nota di credito relativa alla fattura 12 del 2 marzo 2026", "Creditnota bij factuur 12 van
2 maart 2026". A date or number printed after such words is the referenced invoice's, never this
document's: read as the invoice date it is wrong, and read at a label's confidence it is confidently
wrong. The span runs from the words to the end of their phrase (and to the phrase right after it when
the words end their phrase: a label with its value in the next cell); what stands before the words
("Rechnungskorrektur Nr. K-12 zu Rechnung …") stays this document's. "Original invoice" is not such a
phrase: it is also the stamp an invoice prints on itself (against "Copy").
"""

from __future__ import annotations

import re

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import PageText

REFERENCE_WORDS = re.compile(
    r"(?<![a-z])(?:"
    # Spanish
    r"factura\s+(?:rectificada|corregida|sustituida|anulada)|rectifica\s+(?:a\s+)?(?:la\s+)?factura"
    r"|sustituye\s+a\s+la\s+factura|en\s+relacion\s+(?:con|a)\s+la\s+factura|anula\s+(?:a\s+)?la\s+factura"
    # English
    r"|correct(?:s|ing)\s+(?:our\s+)?invoice|correction\s+(?:to|of)\s+(?:our\s+)?invoice"
    r"|credit\s+(?:note|memo)\s+(?:for|against|on|relating\s+to|to)\s+(?:our\s+)?invoice"
    r"|(?:corrected|referenced|related|cancelled)\s+invoice|replaces\s+invoice"
    r"|relat(?:es|ing)\s+to\s+(?:our\s+)?invoice|in\s+respect\s+of\s+invoice"
    # German
    r"|(?:korrektur|berichtigung|gutschrift|storno|stornierung)\s+(?:zu[rm]?|der|von|fur)\s+(?:unserer?\s+)?rechnung"
    r"|(?:bezug(?:nehmend)?\s+auf|ersetzt)\s+(?:die\s+|unsere\s+)?rechnung"
    r"|(?:ursprungliche|korrigierte|stornierte|berichtigte)\s+rechnung"
    # French
    r"|avoir\s+(?:sur|relatif\s+a|concernant)\s+(?:la\s+|notre\s+)?facture"
    r"|facture\s+(?:d'origine|initiale|rectifiee|corrigee|annulee|d'\s*origine)"
    r"|(?:annule\s+et\s+remplace|rectifie|corrige)\s+(?:la\s+|notre\s+)?facture"
    r"|(?:relatif|relative|se\s+rapportant)\s+a\s+(?:la\s+|notre\s+)?facture"
    # Italian
    r"|(?:relativa|riferita|relativo|riferito)\s+(?:alla|a)\s+fattura|rettifica\s+(?:della\s+|la\s+)?fattura"
    r"|fattura\s+(?:di\s+riferimento|rettificata|stornata)|(?:in\s+)?riferimento\s+alla\s+fattura"
    r"|storno\s+(?:della\s+)?fattura"
    # Dutch
    r"|(?:creditnota|correctie)\s+(?:voor|bij|op|van)\s+(?:de\s+)?factuur"
    r"|(?:oorspronkelijke|gecorrigeerde)\s+factuur|vervangt\s+(?:de\s+)?factuur"
    r"|betreft\s+(?:de\s+)?factuur"
    r")(?![a-z])"
)
"""Words naming the invoice a document corrects or credits (on folded text)."""

Box = tuple[int, tuple[float, float, float, float]]
"""(page, bbox) of a span of text that belongs to a referenced document."""


def referenced_spans(pages: list[PageText]) -> list[Box]:
    """Where the page names another invoice: from the naming words to the end of their phrase
    (and the next phrase when the words end theirs). The big pattern is searched only in phrases
    holding an invoice noun, a handful per page."""
    spans: list[Box] = []
    for page in pages:
        for line in page.lines:
            for index, (phrase, folded) in enumerate(zip(line.phrases, folded_phrases(line), strict=True)):
                if not (
                    "factur" in folded or "invoice" in folded or "rechnung" in folded or "fattura" in folded
                ):
                    continue  # every alternative of the words ends in one of these nouns (factura,
                    # facture and factuur share "factur"): without one the phrase cannot match
                match = REFERENCE_WORDS.search(folded)
                if match is None:
                    continue
                x0, top, _, bottom = phrase.bbox(match.start(), match.end())
                x1 = phrase.x1
                if not phrase.text[match.end() :].strip(" :#.-nº°Nr") and index + 1 < len(line.phrases):
                    x1 = line.phrases[index + 1].x1
                spans.append((page.number, (x0, top, x1, bottom)))
    return spans


def _inside(candidate: Candidate, span: Box) -> bool:
    page, (x0, top, x1, bottom) = span
    cx0, ctop, cx1, cbottom = candidate.bbox
    middle = (ctop + cbottom) / 2
    return candidate.page == page and top - 1 <= middle <= bottom + 1 and cx0 >= x0 - 1 and cx1 <= x1 + 1


def drop_referenced(candidates: list[Candidate], spans: list[Box]) -> list[Candidate]:
    """The candidates that do not stand inside a referenced document's span."""
    if not spans:
        return candidates
    return [c for c in candidates if not any(_inside(c, span) for span in spans)]
