"""Entity finders: e-mails, account and document numbers, and names matched against a catalogue.

Finders return `Candidate`s with a confidence and the span they came from, so a field extractor
can pick the best one and show its evidence. Catalogue matching uses rapidfuzz so "Sales force",
"salesforce" and "SalesForce CRM" all resolve to the catalogue's "Salesforce"; a match below the
cut-off is no match rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_WORDS = re.compile(r"[A-Za-z0-9][\w'&.+-]*")


@dataclass(frozen=True)
class Candidate:
    """A value found in a text."""

    value: str
    """The normalised value (catalogue spelling, upper-cased id, lower-cased e-mail)."""
    confidence: float
    start: int
    end: int
    matched: str
    """The text as written in the input."""


def find_emails(text: str) -> list[Candidate]:
    return [
        Candidate(m.group(0).lower(), 0.99, m.start(), m.end(), m.group(0)) for m in _EMAIL.finditer(text)
    ]


@dataclass(frozen=True)
class IdPattern:
    """A document or account number format, e.g. ``ORD-\\d{6}`` or ``INV[-/]\\d{4}[-/]\\d{4}``."""

    regex: str
    confidence: float = 0.95
    uppercase: bool = True

    def find(self, text: str) -> list[Candidate]:
        found = []
        for match in re.finditer(self.regex, text, flags=re.IGNORECASE):
            value = match.group(1) if match.groups() else match.group(0)
            start, end = match.span(1) if match.groups() else match.span(0)
            found.append(
                Candidate(value.upper() if self.uppercase else value, self.confidence, start, end, value)
            )
        return found


class CatalogueMatcher:
    """Fuzzy lookup of names (applications, products, people) against a known list."""

    def __init__(self, names: Iterable[str], *, cutoff: float = 85.0, max_words: int = 4) -> None:
        self.names = sorted(set(names))
        if not self.names:
            raise ValueError("a catalogue needs at least one name")
        self.cutoff = cutoff
        self.max_words = max_words

    def best(self, query: str) -> tuple[str, float] | None:
        """The closest catalogue name to `query` and a 0..1 score, or None below the cut-off."""
        match = process.extractOne(
            query, self.names, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=self.cutoff
        )
        return (match[0], match[1] / 100.0) if match else None

    def find(self, text: str) -> list[Candidate]:
        """Catalogue names mentioned in `text` (word windows up to `max_words` long), best first."""
        words = list(_WORDS.finditer(text))
        best_by_name: dict[str, Candidate] = {}
        for size in range(1, self.max_words + 1):
            for i in range(len(words) - size + 1):
                start, end = words[i].start(), words[i + size - 1].end()
                window = text[start:end]
                match = process.extractOne(
                    window,
                    self.names,
                    scorer=fuzz.ratio,
                    processor=utils.default_process,
                    score_cutoff=self.cutoff,
                )
                if match is None:
                    continue
                candidate = Candidate(match[0], round(match[1] / 100.0, 4), start, end, window)
                current = best_by_name.get(match[0])
                if current is None or candidate.confidence > current.confidence:
                    best_by_name[match[0]] = candidate
        return sorted(best_by_name.values(), key=lambda c: (-c.confidence, c.start))


_NAME_CUES = (
    re.compile(r"\b(?:my name is|this is|i am|i'm)\s+([A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){1,2})"),
    re.compile(
        r"(?:thanks|regards|best|cheers|sincerely|many thanks|kind regards)[,!]?\s*\n?\s*"
        r"([A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){1,2})",
        flags=re.IGNORECASE,
    ),
    re.compile(r"^--\s*([A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+){1,2})", flags=re.MULTILINE),
)


def find_person_names(text: str, directory: Sequence[str] | None = None) -> list[Candidate]:
    """Names introduced ("my name is ...") or signed off ("Regards, ..."); checked against a directory if given."""
    matcher = CatalogueMatcher(directory, cutoff=80.0) if directory else None
    found: list[Candidate] = []
    for cue in _NAME_CUES:
        for match in cue.finditer(text):
            written = match.group(1).strip()
            if matcher is None:
                found.append(Candidate(written, 0.7, match.start(1), match.end(1), written))
                continue
            best = matcher.best(written)
            if best is not None:
                found.append(Candidate(best[0], best[1], match.start(1), match.end(1), written))
    return sorted(found, key=lambda c: -c.confidence)
