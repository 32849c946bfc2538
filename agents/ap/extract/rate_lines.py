"""Per-rate tax lines and carried-forward lines of a totals block.

A per-rate tax line names the tax, its rate and the base it applies to, then the tax:
``MWST 2.6 % auf CHF 1'081.64   CHF 28.12``, ``IVA 21% s/ 61.160,64   12.843,73``, ``TVA 20 % sur
1 000,00   200,00``, ``VAT 20% on £1,000.00   £200.00``. The amount right after the label is the
*base*, not the tax: the pair is recognised by its arithmetic (tax = rate × base, to the cent), so
the tax is read wherever it stands on the line, and the bases and taxes of all such lines add up to
the net amount and the tax total.

A carried-forward line (``Übertrag``, ``Suma y sigue``, ``A riportare``, ``Carried forward``,
``Report``, ``Transport``) repeats a running subtotal at a page break, and an early-payment discount
line (``Skonto``, ``Escompte``, ``if paid by``) states what would be due if paid early: neither is a
document amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.numbers import DecimalSeparator, find_amounts
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.vocabulary import fold

LINE_CONFIDENCE = 0.88
"""A tax read off its rate line: labelled, and checked against the rate × base."""
SUM_CONFIDENCE = 0.9
_TAX_WORD = r"(?:mwst|ust|vat|tva|iva|btw|tax|gst|moms|imposta|igic|steuer)"
_RATE = re.compile(
    rf"{_TAX_WORD}\.?[^%\d]{{0,12}}(?P<a>\d{{1,2}}(?:[.,]\d{{1,2}})?)\s*%"
    rf"|(?P<b>\d{{1,2}}(?:[.,]\d{{1,2}})?)\s*%\s*{_TAX_WORD}"
)
_CARRIED = (  # each word starts with a letter: `\b` also holds at the start of the text
    r"\b(?:ubertrag|uebertrag|vortrag|suma\s*y\s*sigue|suma\s*anterior|a\s*riportare|riporto|"
    r"da\s*riportare|carried\s*forward|brought\s*forward|carry\s*forward|a\s*reporter|van\s*vorige\s*pagina|"
    r"naar\s*volgende\s*pagina)\b|^\s*(?:report|transport)\b"
)


_CONDITIONAL = (
    r"skonto|escompte|early\s*payment|cash\s*discount|prompt\s*payment|if\s*paid\s*(?:by|within|before|early)|"
    r"pronto\s*pag|sconto\s*(?:per\s*)?pagamento|descuento\s*(?:por\s*)?pronto|betalingskorting|"
    r"kredietbeperking"
)

_NO_DOCUMENT_AMOUNT = re.compile(f"{_CARRIED}|{_CONDITIONAL}")
"""Carried-forward or early-payment words, searched in one pass (asked of every line's first phrase)."""


@dataclass(frozen=True)
class RateLine:
    rate: Decimal
    base: Candidate
    tax: Candidate


def _rate(text: str) -> tuple[Decimal, int] | None:
    if "%" not in text:
        return None
    match = _RATE.search(fold(text))
    if match is None:
        return None
    printed = match.group("a") or match.group("b")
    return Decimal(printed.replace(",", ".")), match.end()


def _amounts_after(
    phrases: list[Phrase], first: Phrase, start: int, separator: DecimalSeparator | None
) -> list[Candidate]:
    found: list[Candidate] = []
    for phrase in phrases:
        if phrase is not first and len(phrase.text.strip()) == 1:
            continue  # a lone character: a letter of text printed up the margin, not a tax or base
        offset = start if phrase is first else 0
        text = phrase.text[offset:]
        for value, begin, end in find_amounts(text, separator):
            if text[end : end + 2].strip().startswith("%"):
                continue
            bbox = phrase.bbox(begin + offset, end + offset)
            found.append(Candidate(abs(value), 0.0, phrase.page, bbox, text[begin:end]))
    return found


def _agrees(rate: Decimal, base: Decimal, tax: Decimal) -> bool:
    return base > tax > 0 and abs(base * rate / 100 - tax) <= Decimal("0.011") + tax * Decimal("0.0005")


def read_rate_lines(pages: list[PageText], separator: DecimalSeparator | None) -> list[RateLine]:
    """Every per-rate tax line (a tax word, a rate, and a base and tax that agree with the rate)."""
    found: list[RateLine] = []
    for page in pages:
        for line in page.lines:
            for at, phrase in enumerate(line.phrases):
                rate = _rate(phrase.text)
                if rate is None or not 0 < rate[0] <= 30:
                    continue
                amounts = _amounts_after(line.phrases[at:], phrase, rate[1], separator)
                pair = next(
                    (
                        (b, t)
                        for b in amounts
                        for t in amounts
                        if t is not b and _agrees(rate[0], b.value, t.value)
                    ),
                    None,
                )
                if pair is not None:
                    found.append(RateLine(rate[0], pair[0], pair[1]))
                break
    return found


def rate_line_candidates(lines: list[RateLine]) -> dict[str, list[Candidate]]:
    """Each line's tax, and the taxes' and bases' sums when several rates are printed."""
    if not lines:
        return {}
    taxes = [Candidate(r.tax.value, LINE_CONFIDENCE, r.tax.page, r.tax.bbox, r.tax.text) for r in lines]
    out: dict[str, list[Candidate]] = {"tax": taxes}
    if len(lines) == 1:
        base = lines[0].base
        out["subtotal"] = [Candidate(base.value, LINE_CONFIDENCE - 0.08, base.page, base.bbox, base.text)]
        return out
    out["tax"] = [*taxes, _summed([r.tax for r in lines])]
    out["subtotal"] = [replace_confidence(_summed([r.base for r in lines]), LINE_CONFIDENCE - 0.03)]
    return out


def replace_confidence(candidate: Candidate, confidence: float) -> Candidate:
    return Candidate(candidate.value, confidence, candidate.page, candidate.bbox, candidate.text)


def _summed(parts: list[Candidate]) -> Candidate:
    first = parts[0]
    bbox = (
        min(c.bbox[0] for c in parts),
        first.bbox[1],
        max(c.bbox[2] for c in parts),
        parts[-1].bbox[3],
    )
    value = sum((c.value for c in parts), Decimal("0"))
    return Candidate(value, SUM_CONFIDENCE, first.page, bbox, " + ".join(c.text for c in parts))


def carried_forward_rows(pages: list[PageText]) -> list[tuple[int, tuple[float, float, float, float]]]:
    """The boxes of lines whose amounts are no document amount: carried-forward lines (running
    subtotals) and early-payment discount lines (``abzgl. 2 % Skonto bei Zahlung bis …``,
    ``Zahlbetrag bei Skonto``, ``Escompte 2 %``: what is due *if* paid early, not what is due)."""
    rows: list[tuple[int, tuple[float, float, float, float]]] = []
    for page in pages:
        for line in page.lines:
            if holds_no_document_amount(line):
                rows.append((page.number, (0.0, line.top, page.width, line.bottom)))
    return rows


def holds_no_document_amount(line: TextLine) -> bool:
    """Whether a line is a carried-forward or an early-payment discount line (see the module doc);
    asked by several readers of the totals block, so answered once per line."""
    if "no document amount" not in line.memo:
        line.memo["no document amount"] = _holds_no_document_amount(line)
    answer: bool = line.memo["no document amount"]
    return answer


def _holds_no_document_amount(line: TextLine) -> bool:
    if not line.phrases:
        return False
    first = folded_phrases(line)[0]
    return _NO_DOCUMENT_AMOUNT.search(first) is not None
