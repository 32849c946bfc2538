"""The day a direct debit collects the invoice: its due date, stated in a sentence.

A bill paid by direct debit names no due date; it says when the money is taken: "Der
Rechnungsbetrag wird am 07.06.2026 von Ihrem Konto … abgebucht", "The amount will be debited from
your account on 7 June 2026", "Le montant sera prélevé le 07/06/2026", "Het bedrag wordt op
07-06-2026 van uw rekening afgeschreven", "El importe se cargará en su cuenta el 07/06/2026",
"L'importo sarà addebitato sul Vs. conto il 07/06/2026". That day is the due date. Read only from a
sentence that names a debit and holds exactly one date, right after "am / on / le / op / el / il";
below the auto-post threshold (a sentence, not a label).
"""

from __future__ import annotations

import re

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.page_text import PageText

CONFIDENCE = 0.8
DEBIT_WORDS = re.compile(
    r"(?<![a-z])(?:abgebucht|eingezogen|abbuchung|lastschrift(?:einzug)?|debited|direct\s+debit|collected"
    r"|preleve[e]?s?|prelevement|afgeschreven|geincasseerd|incasso|cargara|cargado|domiciliad[oa]"
    r"|addebitat[oa]|addebito)(?![a-z])"
)
_BEFORE_DATE = re.compile(r"(?<![a-z])(?:am|on|le|op|el|il|per|zum)\s*$")
_NOT_DUE = re.compile(r"skonto|discount|escompte|korting|descuento|sconto|mandat|mandate|anzahlung|acompte")


def debit_date(pages: list[PageText], dates: Parser) -> Candidate | None:
    """The collection date of a direct-debit sentence, or None."""
    for page in pages:
        for line in page.lines:
            for phrase, folded in zip(line.phrases, folded_phrases(line), strict=True):
                if DEBIT_WORDS.search(folded) is None:
                    continue
                parsed = dates(phrase.text)
                if parsed is None:
                    continue
                value, start, end, _ = parsed
                if dates(phrase.text[end:]) is not None or _BEFORE_DATE.search(folded[:start]) is None:
                    continue
                if _NOT_DUE.search(folded[:start]):
                    continue
                return Candidate(
                    value, CONFIDENCE, page.number, phrase.bbox(start, end), phrase.text[start:end]
                )
    return None
