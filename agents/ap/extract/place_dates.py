"""The invoice date of a letter-style invoice, printed where a letter puts its date: "Lyon, le 3 mars
2026", "Bremen, den 03.03.2026", "Milano, 3 marzo 2026", or a date alone at the right end of a
header line ("Beitragsrechnung          24. Januar 2014") — read only when no label names the date."""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.page_text import PageText
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

PLACE_DATE = 0.85
"""An invoice date read from a letter's "Place, date" line, with no label."""
LETTER_DATE = 0.8
"""A date standing alone at the right of the letter head: a letter's date, but no word says so."""
HEAD = 0.5
"""The letter head: this share of the first page from its top."""
_PLACE = re.compile(r"[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+){0,3}\s*,\s*(?:(?:den|le|el|il|am|the)\s+)?")


def place_date(pages: list[PageText], parser: Parser) -> Candidate | None:
    """The date of a letter-style invoice printed as "Lyon, le 3 mars 2026", "Bremen, den 03.03.2026",
    "Milano, 3 marzo 2026" — a phrase that is a place name, a comma and a date, nothing else."""
    for page in pages[:1]:
        for line in page.lines[:40]:
            for phrase in line.phrases:
                place = _PLACE.match(phrase.text)
                if place is None:
                    continue
                rest = phrase.text[place.end() :]
                parsed = parser(rest) if rest.strip() else None
                if parsed is None or parsed[1] != 0 or rest[parsed[2] :].strip(" ."):
                    continue
                start, end = parsed[1] + place.end(), parsed[2] + place.end()
                return Candidate(
                    parsed[0], PLACE_DATE, page.number, phrase.bbox(start, end), phrase.text[start:end]
                )
    return letter_date(pages, parser)


def letter_date(pages: list[PageText], parser: Parser) -> Candidate | None:
    """A date printed alone as the last phrase of a line in the right half of the first page's head,
    with no label on its line or above it: the letter's date. None when the head holds two such dates."""
    found: list[Candidate] = []
    for page in pages[:1]:
        for index, line in enumerate(page.lines):
            if line.top > HEAD * page.height:
                break
            phrase = line.phrases[-1]
            parsed = parser(phrase.text)
            if phrase.x0 < page.width / 2 or parsed is None or phrase.text[: parsed[1]].strip():
                continue
            if phrase.text[parsed[2] :].strip(" ."):
                continue
            above = page.lines[index - 1].phrases if index else []
            if any(match_label(fold(p.text), HEADER_PATTERNS) for p in [*line.phrases[:-1], *above]):
                continue  # a labelled value ("Datum" / "24.01.2014"), read by the labels or not at all
            found.append(Candidate(parsed[0], LETTER_DATE, page.number, phrase.bbox(), phrase.text))
    return found[0] if len({c.value for c in found}) == 1 else None
