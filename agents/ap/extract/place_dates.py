"""The invoice date of a letter-style invoice, printed where a letter puts its date: "Lyon, le 3 mars
2026", "Bremen, den 03.03.2026", "Milano, 3 marzo 2026" — read only when no label names the date."""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate, Parser
from agents.ap.extract.page_text import PageText

PLACE_DATE = 0.85
"""An invoice date read from a letter's "Place, date" line, with no label."""
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
    return None
