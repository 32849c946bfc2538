"""Due dates that no label names: stated in a sentence, or computed from payment terms.

* A sentence with a due word right before a date — "€1,234.56 due March 3, 2026", "Payment is due by
  3 March 2026", "zahlbar bis zum 03.03.2026", "à régler avant le 3 mars 2026", "te betalen vóór
  3 maart 2026", "pagadero antes del 3 de marzo de 2026", "da pagare entro il 3 marzo 2026" — gives the
  date as printed (0.85). A sentence about an early-payment discount (Skonto, escompte, korting,
  descuento, sconto, discount) is not the due date.
* Payment terms with a number of days — "Net 30", "payable within 30 days", "30 Tage netto",
  "innerhalb von 14 Tagen", "à 30 jours", "binnen 30 dagen", "a 30 días", "30 gg d.f." — give the
  invoice date plus those days, and "due on receipt", "zahlbar sofort", "payable à réception",
  "rimessa diretta" the invoice date itself. A computed date is below the auto-post threshold
  (0.8), and is never made when the page states no days; terms counted from the end of the month
  ("30 gg d.f.f.m.", "fin de mois", "end of month") are left to a person.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.vocabulary import fold

STATED = 0.85
"""A due date printed in a sentence, after a due word."""
COMPUTED = 0.8
"""A due date computed from the invoice date and the stated days."""
_DUE_WORD = re.compile(
    r"(?<![a-z])(?:(?:is\s+|are\s+)?(?:due|payable)(?:\s+(?:on|by|until|before|no\s+later\s+than))?"
    r"|pay(?:ment)?\s+(?:by|before|until)"
    r"|zahlbar(?:\s+(?:bis(?:\s+(?:zum|spatestens))?|am|spatestens(?:\s+(?:am|bis))?))?|fallig(?:\s+(?:am|bis))?"
    r"|(?:a\s+)?(?:regler|payer|payable|rembourser|remboursement|reglement)\s+(?:avant\s+le|au\s+plus\s+tard\s+le|le|jusqu'au)"
    r"|(?:te\s+)?betalen\s+(?:voor|op|uiterlijk(?:\s+op)?)|vervalt\s+op|uiterlijk\s+op"
    r"|(?:pagadero|pagar|a\s+pagar)\s+(?:antes\s+del?|el|hasta\s+el)|vence\s+el"
    r"|(?:da\s+)?(?:pagare|pagarsi|saldare)\s+entro\s+(?:il\s+)?|scade\s+il|in\s+scadenza\s+il"
    r"|(?:netto|net|ohne\s+abzug)\s+(?:bis(?:\s+(?:zum|spatestens))?|by|until|before|jusqu'au|tot|hasta\s+el|entro\s+il)"
    r"|(?:zu\s+der\s+)?falligkeit(?:stag)?(?:\s+am)?"
    r"|(?:sera\s+)?preleve(?:e|s)?\s+(?:le|au)|prelevement\s+(?:le|du|au)|(?:will\s+be\s+)?(?:debited|collected)\s+on"
    r"|direct\s+debit\s+on|(?:wordt\s+)?(?:afgeschreven|geincasseerd)\s+op|(?:se\s+)?cargara\s+el|cargo\s+el"
    r"|(?:sara\s+)?addebitat[oa]\s+il|addebito\s+il|(?:abgebucht|eingezogen|abbuchung|lastschrift)\s+am)\s*:?\s*"
)
"""A due word that the date follows directly (folded text): also the net term of a sentence with a
discount ("30 Tagen netto bis 04.04.2013, 3 % Skonto … bis 15.03.2013") and a direct-debit date
("prélevé le 16 novembre", "abgebucht am 20.03.", "debited on …") — the day the money is due."""
_DEBIT_BEFORE = re.compile(r"(?<![a-z])(?P<passive>(?:wird|werden)\s+(?:\S+\s+){0,6}?)?am\s+")
"""A German sentence naming the day first and the due verb after it: "Der Betrag … wird am 20.03.2014
von Ihrem Konto … eingezogen", "am 06.12.2013 fällig" (folded text, up to where the date starts);
without "wird" the verb must follow the date within two words."""
_DEBIT_VERB = re.compile(r"(?<![a-z])(?:abgebucht|eingezogen|belastet|fallig)(?![a-z])")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_DISCOUNT = re.compile(r"skonto|discount|escompte|korting|descuento|pronto\s+pago|sconto|abzug\s+von|rabatt")
_NET = re.compile(r"net|ohne\s+abzug")
"""In a sentence about a discount, only the net term is the due date ("10 Tage 2 % Skonto, 30 Tage netto")."""
_END_OF_MONTH = re.compile(
    r"f\.?\s*m\.?(?![a-z])|fine\s+mese|fin\s+de\s+mois|end\s+of\s+(?:the\s+)?month|eom(?![a-z])|monatsende"
    r"|ende\s+des\s+monats|einde\s+(?:van\s+de\s+)?maand|fin\s+de\s+mes|ultimo"
)
_DAYS = r"(\d{1,3})(?![\d.,]\d|\d|\s*%)"
_DAY_WORD = r"(?:days?|tage?n?|jours|dagen|dias|giorni|gg)(?![a-z])"
_TERMS = re.compile(
    rf"(?<![a-z0-9.,])(?:net\s*:?\s*{_DAYS}\s*(?:{_DAY_WORD}|(?=$|[,;)/]))"
    rf"|(?:netto|netos?|netti)\s+{_DAYS}\s*{_DAY_WORD}"
    rf"|(?:within|innerhalb(?:\s+von)?|binnen|sous|dans\s+les|entro|plazo\s+de|a|zahlbar\s+in)\s+{_DAYS}\s*{_DAY_WORD}"
    r"|(?:zahlungsziel|payment\s+terms?|terms|conditions?\s+de\s+(?:paiement|reglement)|betalingstermijn|betaaltermijn"
    rf"|condiciones\s+de\s+pago|forma\s+de\s+pago|termini\s+di\s+pagamento|zahlungsbedingungen)\s*:?\s*{_DAYS}\s*{_DAY_WORD}"
    rf"|{_DAYS}\s*{_DAY_WORD}\s*(?:net(?:to|s|os)?(?![a-z])|nach\s+rechnungs|from|after|of\s+(?:the\s+)?invoice"
    r"|date\s+(?:de\s+)?facture|fecha\s+(?:de\s+)?factura|d\.?\s*f\.?|data\s+fattura|na\s+factuurdatum|ohne\s+abzug"
    r"|ab\s+rechnungs|rechnungsdatum|fattura))"
)
"""Payment terms stating a number of days from the invoice date (folded text)."""
_ON_RECEIPT = re.compile(
    r"(?:due|payable)\s+(?:up)?on\s+receipt|upon\s+receipt|zahlbar\s+sofort|sofort\s+(?:zahlbar|fallig|ohne\s+abzug)"
    r"|(?:payable\s+)?(?:a|des)\s+reception(?:\s+de\s+(?:la\s+)?facture)?|direct\s+opeisbaar|per\s+omgaande"
    r"|pago\s+(?:al\s+contado|inmediato)|rimessa\s+diretta|pagamento\s+a\s+vista"
)


def _clause_start(folded: str, position: int) -> int:
    return max(folded.rfind(",", 0, position), folded.rfind(";", 0, position)) + 1


def stated_due_dates(pages: list[PageText], parser: Parser) -> list[Candidate]:
    """Due dates printed right after a due word inside a sentence (a clause about an early-payment
    discount excepted), or before a German due verb later in the sentence."""
    found: list[Candidate] = []
    for page in pages:
        for index, line in enumerate(page.lines):
            for phrase, folded in zip(line.phrases, folded_phrases(line), strict=True):
                for match in _DUE_WORD.finditer(folded):
                    rest = phrase.text[match.end() :]
                    parsed = parser(rest) if rest.strip() else None
                    if parsed is None or parsed[1] != 0:
                        continue
                    if _DISCOUNT.search(
                        folded, _clause_start(folded, match.start()), match.end() + parsed[2]
                    ):
                        continue
                    value, start, end, _ = parsed
                    start, end = start + match.end(), end + match.end()
                    found.append(
                        Candidate(value, STATED, page.number, phrase.bbox(start, end), phrase.text[start:end])
                    )
                following = page.lines[index + 1] if index + 1 < len(page.lines) else None
                found.extend(_dated_before_verb(phrase, folded, following, parser, page.number))
    return found


def _dated_before_verb(
    phrase: Phrase, folded: str, following: TextLine | None, parser: Parser, page: int
) -> list[Candidate]:
    """ "… wird am 20.03.2014 von Ihrem Konto … eingezogen": the date, when the sentence (read on into
    the next line) reaches a due verb before it ends or names another date. The next line is folded
    only for a date after "am": folded for every phrase of the page, it was a third of this reader's cost."""
    found: list[Candidate] = []
    for match in _DEBIT_BEFORE.finditer(folded):
        rest = phrase.text[match.end() :]
        parsed = parser(rest) if rest.strip() else None
        if parsed is None or parsed[1] != 0:
            continue
        sentence = (
            folded[match.end() + parsed[2] :] + " " + (fold(following.text) if following is not None else "")
        )
        end = _SENTENCE_END.search(sentence)
        sentence = sentence[: end.start() if end else len(sentence)]
        verb = _DEBIT_VERB.search(sentence)
        if verb is None or parser(sentence[: verb.start()]) is not None:
            continue
        if match.group("passive") is None and len(sentence[: verb.start()].split()) > 2:
            continue
        start, stop = parsed[1] + match.end(), parsed[2] + match.end()
        found.append(Candidate(parsed[0], STATED, page, phrase.bbox(start, stop), phrase.text[start:stop]))
    return found


def due_from_terms(pages: list[PageText], invoice_date: Candidate | None) -> Candidate | None:
    """The invoice date plus the days the payment terms state (the longest net term when several
    are printed: "2 % within 10 days, net 30" is due after 30), or the invoice date for "due on
    receipt". None when no days are stated or the terms run from the end of a month."""
    if invoice_date is None or not isinstance(invoice_date.value, date):
        return None
    best: tuple[int, int, tuple[float, float, float, float], str] | None = None
    for page in pages:
        for line in page.lines:
            for phrase, folded in zip(line.phrases, folded_phrases(line), strict=True):
                if _END_OF_MONTH.search(folded):
                    continue
                discount = _DISCOUNT.search(folded) is not None
                for match in _TERMS.finditer(folded):
                    if discount and _NET.search(match.group(0)) is None:
                        continue
                    days = int(next(group for group in match.groups() if group))
                    if days <= 180 and (best is None or days > best[0]):
                        best = (days, page.number, phrase.bbox(match.start(), match.end()), phrase.text)
                if best is None and _ON_RECEIPT.search(folded):
                    best = (0, page.number, phrase.bbox(), phrase.text)
    if best is None:
        return None
    days, page_number, bbox, text = best
    confidence = round(min(COMPUTED, invoice_date.confidence), 3)
    return Candidate(invoice_date.value + timedelta(days=days), confidence, page_number, bbox, text)


def due_without_label(
    pages: list[PageText], parsers: dict[str, Parser], invoice_date: Candidate | None
) -> Candidate | None:
    """A due date no label names: one stated in a sentence, else one computed from the terms."""
    stated = stated_due_dates(pages, parsers["due_date"])
    if stated:
        best = max(stated, key=lambda c: sum(o.value == c.value for o in stated))
        if len({c.value for c in stated}) == 1:
            return best
        return Candidate(best.value, round(best.confidence * 0.7, 3), best.page, best.bbox, best.text)
    return due_from_terms(pages, invoice_date)
