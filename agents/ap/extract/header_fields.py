"""Header fields by label proximity: find a label, read the value in the same phrase, to its right,
or below it — the way a person scans an invoice, with no per-vendor template.

Each candidate carries a confidence from how it was found (inline after a colon, right of the label,
below it, or without any label at all) and agreement between repeated candidates raises it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from agents.ap.extract.captions import captions_under_values, claimed_above
from agents.ap.extract.dates import find_dates
from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.identifiers import find_currencies, find_eins, find_ibans, find_vat_ids
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.numbers import DecimalSeparator, find_amounts
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.reference_roles import reference_parser, reference_role
from agents.ap.extract.row_partner import row_partner
from agents.ap.extract.vocabulary import HEADER_PATTERNS, match_label

_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%|(?<![\d.,])\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d.,])")
_LABEL_BOUNDARY = re.compile(r"(?::|\s[·|]|\s-)\s+")
"""Where a second label may start inside a phrase ("Bank details: IBAN: ...", "Name · VAT no.: ...")."""
_IDENTIFIER = re.compile(r"\d{6,}")
"""A long unbroken digit run (registration number, SIRET) before an amount means the amount is
someone else's value, not the labelled one."""
_SEPARATORS = " :#.-–|"
"""Punctuation that may stand alone between a label and its value."""
_DATE_CONNECTOR = re.compile(
    r"\b(?:vom|von|du|le|del|dated|of|issued\s+(?:at|on)|van|de\s+fecha|d\.d\.|datum)\s*:?\s*$", re.IGNORECASE
)
"""Words joining an invoice number to its date in one sentence: "Rechnung Nr. 42 vom 31.01.2014"."""
TITLE_PENALTY = 0.04
"""A number read after a document title ("Facture FA-2017-0010") is slightly less certain than one
after a number label."""
INLINE, RIGHT, BESIDE, BELOW, ABOVE = 0.9, 0.88, 0.86, 0.85, 0.8
"""Base confidence by where the value sat relative to its label (a caption under its value is the
least common layout, and a grid's value row could be read against the wrong label row); BESIDE is
right of the label in a larger font, on a line of its own (`row_partner`)."""
UNREAD_WORDS = 0.1
"""Taken off a value when a word of five letters or more stands between its label and it ("Totaal
exclusief BTW 100,00" read through "Totaal"): the label read may be the start of a longer one."""
_UNREAD_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{5,}(?![^\W\d_])")
EITHER_WAY = 0.25
"""Taken off a value read under its label when a value of the same kind also sits right above the
label: caption-under-value or label-above-value, the page does not say which (blind held-out sets
read such labels wrong about half the time)."""


@dataclass(frozen=True)
class Candidate:
    """One reading of a field: value, confidence, and the words it came from."""

    value: Any
    confidence: float
    page: int
    bbox: tuple[float, float, float, float]
    text: str
    valid: bool = True
    """False for an IBAN whose checksum fails."""


Parser = Callable[[str], tuple[Any, int, int, bool] | None]
"""Text → (value, start, end, valid) of the first readable value, or None."""


def date_parser(month_first: bool) -> Parser:
    def parse(text: str) -> tuple[Any, int, int, bool] | None:
        found = find_dates(text, month_first)
        return (found[0][0], found[0][1], found[0][2], True) if found else None

    return parse


def amount_parser(separator: DecimalSeparator | None) -> Parser:
    def parse(text: str) -> tuple[Any, int, int, bool] | None:
        masked = _PERCENT.sub(lambda m: " " * len(m.group(0)), text)  # rates and numeric dates
        found = find_amounts(masked, separator)
        if not found:
            return None
        value, start, end = found[-1]
        if _IDENTIFIER.search(masked[:start]) or find_vat_ids(masked[:start]):
            return None  # "TVA : FR11999999998 - SIRET … capital de 120 000,00 €" is not a tax amount
        return abs(value), start, end, True

    return parse


def tax_id_parser(text: str) -> tuple[Any, int, int, bool] | None:
    found = [(v, s, e) for v, s, e in find_vat_ids(text)] + find_eins(text)
    if not found:
        return None
    value, start, end = min(found, key=lambda item: item[1])
    return value, start, end, True


def iban_parser(text: str) -> tuple[Any, int, int, bool] | None:
    found = find_ibans(text)
    return (found[0][0], found[0][2], found[0][3], found[0][1]) if found else None


def currency_parser(text: str) -> tuple[Any, int, int, bool] | None:
    found = find_currencies(text)
    return (found[0][0], found[0][1], found[0][2], True) if found else None


def parsers_for(separator: DecimalSeparator | None, month_first: bool) -> dict[str, Parser]:
    amounts = amount_parser(separator)
    dates = date_parser(month_first)
    return {
        "invoice_number": reference_parser,
        "po_number": reference_parser,
        "buyer_reference": reference_parser,
        "invoice_date": dates,
        "due_date": dates,
        "subtotal": amounts,
        "tax": amounts,
        "total": amounts,
        "currency": currency_parser,
        "vendor_tax_id": tax_id_parser,
        "buyer_tax_id": tax_id_parser,
        "buyer_iban": iban_parser,
        "iban": iban_parser,
        "amount_due": amounts,
        "prepaid": amounts,
    }


@dataclass(frozen=True)
class LabelHit:
    field: str
    phrase: Phrase
    label_end: int
    line_index: int
    phrase_index: int
    value_end: int | None = None
    """Where the next label in the same phrase starts ("No. 12 | Date 01.02.2024"): the value ends there."""
    label_start: int = 0
    """Where the label starts in the phrase (after a ``:``, ``·``, ``|`` or `` - `` when not at its start)."""


def find_labels(page: PageText) -> list[LabelHit]:
    """Every phrase that starts with a known label (table header rows excepted: "Montant HT" there
    names a column, not the invoice's net total)."""
    hits: list[LabelHit] = []
    for line_index, line in enumerate(page.lines):
        if header_columns(line) is not None:
            continue
        for phrase_index, folded in enumerate(folded_phrases(line)):
            found = _labels_in(folded)
            for index, (begin, name, end) in enumerate(found):
                stop = found[index + 1][0] if index + 1 < len(found) else None
                if name == "po_number":
                    name = reference_role(folded[begin:end])
                hits.append(
                    LabelHit(name, line.phrases[phrase_index], end, line_index, phrase_index, stop, begin)
                )
    return hits


def _labels_in(folded: str) -> list[tuple[int, str, int]]:
    """(start, field, end) of each label in a folded phrase: at its start, and after each boundary
    that follows the previous label."""
    matched = match_label(folded, HEADER_PATTERNS)
    found = [(0, matched[0], matched[1])] if matched else []
    if ":" in folded or "·" in folded or "|" in folded or "-" in folded:
        # every boundary holds one of these (most phrases hold none): only then search
        for boundary in _LABEL_BOUNDARY.finditer(folded):
            start = boundary.end()
            if found and start < found[-1][2]:
                continue
            matched = match_label(folded, HEADER_PATTERNS, start)
            if matched:
                found.append((start, matched[0], matched[1]))
    return found


def _parsed(
    parser: Parser, text: str, phrase: Phrase, offset: int, confidence: float, adjacent: bool = False
) -> Candidate | None:
    parsed = parser(text) if text.strip() else None
    if parsed is None:
        return None
    value, start, end, valid = parsed
    if adjacent and text[:start].strip(" :#.-"):
        return None
    if _UNREAD_WORD.search(text, 0, start):
        confidence = round(confidence - UNREAD_WORDS, 3)
    start, end = start + offset, end + offset
    return Candidate(value, confidence, phrase.page, phrase.bbox(start, end), phrase.text[start:end], valid)


def read_inline(hit: LabelHit, parser: Parser, adjacent: bool = False) -> Candidate | None:
    """The value in the rest of the label's phrase (up to the next label in it), if any."""
    rest = hit.phrase.text[hit.label_end : hit.value_end]
    return _parsed(parser, rest, hit.phrase, hit.label_end, INLINE, adjacent)


def read_values(hit: LabelHit, page: PageText, parser: Parser, adjacent: bool = False) -> list[Candidate]:
    """Values for a label: the rest of its phrase, else the phrase to its right, else the phrases
    stacked below it (a summary grid's column yields one candidate per row, the nearest first)."""
    phrase = hit.phrase
    inline = read_inline(hit, parser, adjacent)
    if inline is not None:
        return [inline]
    if hit.value_end is not None:
        return []  # another label follows in the same phrase: this one's value was not printed
    line = page.lines[hit.line_index]
    index = hit.phrase_index + 1
    if index < len(line.phrases) and not line.phrases[index].text.strip(_SEPARATORS):
        index += 1  # a colon set in a column of its own ("Datum   :   03.03.26")
    neighbour = line.phrases[index] if index < len(line.phrases) else None
    if (
        neighbour
        and neighbour.x0 - phrase.x1 <= 260
        and not match_label(folded_phrases(line)[index], HEADER_PATTERNS)
    ):
        right = _parsed(parser, neighbour.text, neighbour, 0, RIGHT, adjacent)
        if right is not None:
            return [right]
    partner = row_partner(page, hit.line_index, phrase)  # a larger-font value on the label's row
    beside = _parsed(parser, partner.text, partner, 0, BESIDE, adjacent) if partner else None
    if beside is not None:
        return [beside]
    if adjacent:
        return []
    if captions_under_values(page, hit.line_index, hit.phrase):
        above = _read_above(hit, page, parser)
        return [above] if above is not None else []
    found: list[Candidate] = []
    last_bottom = phrase.bottom
    for below in page.lines[hit.line_index + 1 : hit.line_index + 6]:
        if below.top - last_bottom > 2.5 * phrase.height:
            break
        in_column = [
            (n, folded)
            for n, folded in zip(below.phrases, folded_phrases(below), strict=True)
            if not (n.x1 < phrase.x0 - 2 or n.x0 > phrase.x1 + 2 or abs(n.x0 - phrase.x0) > 40)
            or (phrase.x0 - 2 <= (n.x0 + n.x1) / 2 <= phrase.x1 + 30 and n.x1 >= phrase.x0)
        ]
        if not in_column:
            continue  # a line of another block (an address beside the grid) interleaved between them
        neighbour, folded = in_column[0]
        if match_label(folded, HEADER_PATTERNS):
            break
        candidate = _parsed(parser, neighbour.text, neighbour, 0, round(BELOW - 0.05 * len(found), 3))
        if candidate is None:
            break
        found.append(candidate)
        last_bottom = below.bottom
    if not found:
        above = _read_above(hit, page, parser)
        return [above] if above is not None else []
    found = _summary_row_first(found)
    if _read_above(hit, page, parser) is not None and not claimed_above(
        hit.field, page, hit.line_index, phrase
    ):
        found = [replace(c, confidence=round(c.confidence - EITHER_WAY, 3)) for c in found]
    return found


def _read_above(hit: LabelHit, page: PageText, parser: Parser) -> Candidate | None:
    """The value printed right above its label, in the same column (a caption under the value:
    ``INV-123`` over ``Invoice number``). Never another label's line, never a value with text of its own."""
    if hit.line_index == 0:
        return None
    phrase = hit.phrase
    line = page.lines[hit.line_index - 1]
    if phrase.top - line.bottom > 1.5 * phrase.height:
        return None
    for neighbour, folded in zip(line.phrases, folded_phrases(line), strict=True):
        if abs(neighbour.x0 - phrase.x0) > 6:
            continue
        if match_label(folded, HEADER_PATTERNS):
            return None
        return _parsed(parser, neighbour.text, neighbour, 0, ABOVE, adjacent=True)
    return None


def _summary_row_first(found: list[Candidate]) -> list[Candidate]:
    """In a summary grid (one row per VAT rate, then a sum row) the sum row is the document's value."""
    if len(found) < 3 or not all(isinstance(c.value, Decimal) for c in found):
        return found
    for end in range(3, len(found) + 1):
        rows = found[:end]
        if abs(sum((c.value for c in rows[:-1]), Decimal("0")) - rows[-1].value) <= Decimal("0.02"):
            last = replace(rows[-1], confidence=BELOW)
            return [last, *(replace(c, confidence=round(BELOW - 0.1, 3)) for c in rows[:-1])]
    return found


def _dated_number(hit: LabelHit, parsers: dict[str, Parser]) -> Candidate | None:
    """The date in "Rechnung Nr. 42 vom 31.01.2014" / "Invoice # X issued at 2019-06-10"."""
    phrase = hit.phrase
    dates = parsers["invoice_date"]
    for offset in range(hit.label_end, len(phrase.text)):
        if phrase.text[offset - 1] != " ":
            continue
        connector = _DATE_CONNECTOR.search(phrase.text[hit.label_end : offset])
        if (
            connector is None
            or len(phrase.text[hit.label_end : hit.label_end + connector.start()].split()) > 3
        ):
            continue  # "Facture établie selon votre commande n° X du …" dates the order, not the invoice
        candidate = _parsed(dates, phrase.text[offset:], phrase, offset, INLINE, adjacent=True)
        if candidate is not None:
            return candidate
    return None


_ALTERNATE = {"tax": "vendor_tax_id", "vendor_tax_id": "tax"}
"""Labels shared by a tax amount and a tax id ("TVA", "IVA", "VAT"): a VAT id after it decides."""


def labelled_candidates(
    pages: list[PageText], parsers: dict[str, Parser]
) -> tuple[dict[str, list[Candidate]], list[LabelHit]]:
    """Candidates per field from every label on every page, plus the label hits themselves."""
    found: dict[str, list[Candidate]] = {}
    hits_all: list[LabelHit] = []
    for page in pages:
        for hit in find_labels(page):
            hits_all.append(hit)
            name = hit.field
            if name in _ALTERNATE:
                if name == "tax":  # an id only when read inline: no other reading is INLINE-sure
                    inline = read_inline(hit, parsers["vendor_tax_id"])
                    ids = [inline] if inline is not None else []
                else:
                    ids = read_values(hit, page, parsers["vendor_tax_id"])
                if ids and (name == "vendor_tax_id" or ids[0].confidence == INLINE):
                    found.setdefault("vendor_tax_id", []).extend(ids[:1])
                    continue
                name = "tax" if name == "tax" else "vendor_tax_id"
            if name == "title_number":
                numbers = read_values(hit, page, parsers["invoice_number"], adjacent=True)
                numbers = [
                    Candidate(c.value, c.confidence - TITLE_PENALTY, c.page, c.bbox, c.text, c.valid)
                    for c in numbers
                ]
                found.setdefault("invoice_number", []).extend(numbers)
            parser = parsers.get(name)
            if parser is not None and name != "title_number":
                found.setdefault(name, []).extend(read_values(hit, page, parser))
            if name in ("invoice_number", "title_number"):
                dated = _dated_number(hit, parsers)
                if dated is not None:
                    found.setdefault("invoice_date", []).append(dated)
    return found, hits_all


def unlabelled_candidates(pages: list[PageText], parser: Parser, confidence: float) -> list[Candidate]:
    """Values of a self-describing kind (VAT id, IBAN, currency) found anywhere, without a label."""
    found: list[Candidate] = []
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                parsed = parser(phrase.text)
                if parsed is not None:
                    value, start, end, valid = parsed
                    found.append(
                        Candidate(
                            value,
                            confidence,
                            page.number,
                            phrase.bbox(start, end),
                            phrase.text[start:end],
                            valid,
                        )
                    )
    return found


def decide(candidates: list[Candidate]) -> tuple[Candidate | None, bool]:
    """The best candidate, with agreement boosting it; also whether candidates conflicted."""
    if not candidates:
        return None, False
    votes: dict[Any, list[Candidate]] = {}
    for candidate in candidates:
        votes.setdefault(candidate.value, []).append(candidate)
    ranked = sorted(
        votes.values(), key=lambda group: (max(c.confidence for c in group), len(group)), reverse=True
    )
    best_group = ranked[0]
    best = max(best_group, key=lambda c: c.confidence)
    conflict = len(ranked) > 1 and max(c.confidence for c in ranked[1]) >= best.confidence - 0.05
    confidence = best.confidence
    if len(best_group) > 1:
        confidence = min(0.97, confidence + 0.04 * (len(best_group) - 1))
    if conflict:
        confidence *= 0.7
    return Candidate(best.value, round(confidence, 3), best.page, best.bbox, best.text, best.valid), conflict
