"""Invoice or credit note, from the title words and the sign of the printed total.

A credit note says so in a phrase that *starts* with its word near the top of page one (its title or
its number label: "Gutschrift", "Credit note", "Avoir", "Creditnota", "Abono", "Nota di credito"); a
mention in fine print does not count. A *correction* ("Rechnungskorrektur", "Korrekturrechnung",
"Stornorechnung", "Corrective invoice", "Facture rectificative", "Factura rectificativa",
"Correctiefactuur", "Fattura di rettifica") may credit or charge: its printed total decides — negative
is a credit note, positive an invoice. When the title and the sign disagree (a credit-note title over
a negative total is normal, a plain invoice with a negative total is not) a warning says so.

The type carries a confidence like every field, from the evidence it rests on: a credit-note title, or
no such title over a total printed positive, is read at `SURE`; a type the printed total's sign
decides is no surer than that total; an invoice whose total was not read rests on the absence of a
title alone (`TITLE_ONLY`); a contradiction -- a negative total under no credit-note title, a
correction whose total was not read -- is `CONTRADICTED`, below the auto-post threshold, so the
document is held for a person instead of being paid or credited on a guess.
"""

from __future__ import annotations

import re

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import PageText
from agents.ap.extract.vocabulary import CREDIT_NOTE_WORDS
from agents.ap.invoice import DocumentType

TITLE_LINES = 25
"""Lines at the top of page one where a title or number label is looked for."""
SURE = 0.95
"""A credit-note title, or no such title over a total printed positive."""
TITLE_ONLY = 0.85
"""No credit-note title, and no total read whose sign could confirm the invoice."""
CONTRADICTED = 0.6
"""The title and the sign disagree, or the sign that would decide was not read."""
CORRECTION_WORDS = re.compile(
    r"(?:rechnungs-?\s*korrektur|korrektur-?\s*rechnung|storno-?\s*rechnung|(?:rechnungs-?\s*)?storno"
    r"|corrective\s+invoice|corrected\s+invoice|invoice\s+correction|facture\s+rectificative|factura\s+rectificativa"
    r"|correctie-?\s*factuur|fattura\s+(?:di\s+)?rettifica|fattura\s+correttiva)(?![a-z])"
)
_NEGATIVE = re.compile(r"^\s*(?:[-−–]|\(.*\)\s*$)|[-−–]\s*$")


def _title(pages: list[PageText]) -> str:
    """``credit`` or ``correction`` when a phrase near the top of page one starts with such a word."""
    if not pages:
        return ""
    for line in pages[0].lines[:TITLE_LINES]:
        for folded_text in folded_phrases(line):
            folded = folded_text.strip()
            if CORRECTION_WORDS.match(folded):
                return "correction"
            if CREDIT_NOTE_WORDS.match(folded):
                return "credit"
    return ""


def printed_negative(total: Candidate | None) -> bool | None:
    """Whether the total was printed negative ("-8,79", "8,79-", "(8.79)"); None when no total was read."""
    return None if total is None else _NEGATIVE.search(total.text) is not None


def document_kind(pages: list[PageText], total: Candidate | None) -> tuple[DocumentType, float, str | None]:
    """The document type, its confidence and, when title and sign disagree, a warning."""
    title, negative = _title(pages), printed_negative(total)
    if title == "correction":
        if total is None:
            return (
                "credit_note",
                CONTRADICTED,
                "document type: a correction whose total was not read; taken as a credit note",
            )
        return ("credit_note" if negative else "invoice"), min(SURE, total.confidence), None
    if title == "credit":
        return "credit_note", SURE, None
    if total is None:
        return "invoice", TITLE_ONLY, None
    if negative:
        return (
            "invoice",
            CONTRADICTED,
            "document type: the title says invoice but the total is printed negative",
        )
    return "invoice", SURE, None
