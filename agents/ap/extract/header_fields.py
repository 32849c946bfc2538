"""Header fields by label proximity: find a label, read the value in the same phrase, to its right,
or below it — the way a person scans an invoice, with no per-vendor template.

Each candidate carries a confidence from how it was found (inline after a colon, right of the label,
below it, or without any label at all) and agreement between repeated candidates raises it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.ap.extract.dates import find_dates
from agents.ap.extract.identifiers import find_currencies, find_eins, find_ibans, find_vat_ids
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.numbers import DecimalSeparator, find_amounts
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_LABEL_BOUNDARY = re.compile(r"(?::|\s[·|]|\s-)\s+")
"""Where a second label may start inside a phrase ("Bank details: IBAN: ...", "Name · VAT no.: ...")."""
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._]*\d[A-Za-z0-9\-/._]*")

INLINE, RIGHT, BELOW = 0.9, 0.88, 0.85
"""Base confidence by where the value sat relative to its label."""


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


def reference_parser(text: str) -> tuple[Any, int, int, bool] | None:
    for match in _REFERENCE.finditer(text):
        if not find_dates(match.group(0)):
            return match.group(0).rstrip("."), match.start(), match.end(), True
    return None


def date_parser(month_first: bool) -> Parser:
    def parse(text: str) -> tuple[Any, int, int, bool] | None:
        found = find_dates(text, month_first)
        return (found[0][0], found[0][1], found[0][2], True) if found else None

    return parse


def amount_parser(separator: DecimalSeparator | None) -> Parser:
    def parse(text: str) -> tuple[Any, int, int, bool] | None:
        masked = _PERCENT.sub(lambda m: " " * len(m.group(0)), text)
        found = find_amounts(masked, separator)
        if not found:
            return None
        value, start, end = found[-1]
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
        "invoice_date": dates,
        "due_date": dates,
        "subtotal": amounts,
        "tax": amounts,
        "total": amounts,
        "currency": currency_parser,
        "vendor_tax_id": tax_id_parser,
        "buyer_tax_id": tax_id_parser,
        "iban": iban_parser,
    }


@dataclass(frozen=True)
class LabelHit:
    field: str
    phrase: Phrase
    label_end: int
    line_index: int
    phrase_index: int


def find_labels(page: PageText) -> list[LabelHit]:
    """Every phrase that starts with a known label (table header rows excepted: "Montant HT" there
    names a column, not the invoice's net total)."""
    hits: list[LabelHit] = []
    for line_index, line in enumerate(page.lines):
        if header_columns(line) is not None:
            continue
        for phrase_index, phrase in enumerate(line.phrases):
            folded = fold(phrase.text)
            starts = [0] + [m.end() for m in _LABEL_BOUNDARY.finditer(folded)]
            for start in starts:
                matched = match_label(folded, HEADER_PATTERNS, start)
                if matched:
                    hits.append(LabelHit(matched[0], phrase, matched[1], line_index, phrase_index))
                    break
    return hits


def read_value(hit: LabelHit, page: PageText, parser: Parser) -> Candidate | None:
    """The value for a label: rest of its phrase, the phrase to its right, or the phrase below."""
    phrase = hit.phrase
    rest = phrase.text[hit.label_end :]
    parsed = parser(rest) if rest.strip() else None
    if parsed is not None:
        value, start, end, valid = parsed
        start, end = start + hit.label_end, end + hit.label_end
        return Candidate(value, INLINE, phrase.page, phrase.bbox(start, end), phrase.text[start:end], valid)
    line = page.lines[hit.line_index]
    for neighbour in line.phrases[hit.phrase_index + 1 : hit.phrase_index + 2]:
        if neighbour.x0 - phrase.x1 > 260 or match_label(fold(neighbour.text), HEADER_PATTERNS):
            break
        parsed = parser(neighbour.text)
        if parsed is not None:
            value, start, end, valid = parsed
            return Candidate(
                value, RIGHT, phrase.page, neighbour.bbox(start, end), neighbour.text[start:end], valid
            )
    for below in page.lines[hit.line_index + 1 : hit.line_index + 3]:
        if below.top - phrase.bottom > 2.5 * phrase.height:
            break
        for neighbour in below.phrases:
            if (
                neighbour.x1 < phrase.x0 - 2
                or neighbour.x0 > phrase.x1 + 2
                or abs(neighbour.x0 - phrase.x0) > 40
            ):
                continue
            if match_label(fold(neighbour.text), HEADER_PATTERNS):
                return None
            parsed = parser(neighbour.text)
            if parsed is not None:
                value, start, end, valid = parsed
                return Candidate(
                    value, BELOW, phrase.page, neighbour.bbox(start, end), neighbour.text[start:end], valid
                )
    return None


def labelled_candidates(
    pages: list[PageText], parsers: dict[str, Parser]
) -> tuple[dict[str, list[Candidate]], list[LabelHit]]:
    """Candidates per field from every label on every page, plus the label hits themselves."""
    found: dict[str, list[Candidate]] = {}
    hits_all: list[LabelHit] = []
    for page in pages:
        for hit in find_labels(page):
            hits_all.append(hit)
            parser = parsers.get(hit.field)
            if parser is None:
                continue
            candidate = read_value(hit, page, parser)
            if candidate is not None:
                found.setdefault(hit.field, []).append(candidate)
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
