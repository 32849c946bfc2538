"""The seller's name: the letterhead — the biggest text near the top of page one that is not the
document title, a label, or the bill-to block — confirmed when the same name recurs (footer,
next to the tax id) and when it carries a legal form (GmbH, SAS, BV, LLC...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.ap.extract.dates import WEEKDAYS
from agents.ap.extract.header_fields import Candidate, LabelHit
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.vocabulary import DOCUMENT_TITLES, HEADER_PATTERNS, fold, match_label

LEGAL_FORMS = re.compile(
    r"\b(gmbh|ag|kg|ohg|se|sa|sas|sarl|sàrl|srl|spa|s\.p\.a\.|bv|b\.v\.|nv|n\.v\.|ltd|limited|llc|inc|corp|"
    r"plc|co|company|gmbh & co\.? kg|ug|e\.k\.|eurl|sasu|vof|cv)\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Region:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def contains(self, phrase: Phrase) -> bool:
        return (
            phrase.page == self.page
            and self.x0 <= phrase.x0 <= self.x1
            and self.top <= phrase.top <= self.bottom
        )


def buyer_regions(hits: list[LabelHit]) -> list[Region]:
    """Where the bill-to blocks are: under (and right of) each bill-to label."""
    return [
        Region(
            hit.phrase.page,
            hit.phrase.x0 - 5,
            hit.phrase.top - 2,
            hit.phrase.x0 + 260,
            hit.phrase.bottom + 75,
        )
        for hit in hits
        if hit.field == "bill_to"
    ]


def _eligible(phrase: Phrase, buyers: list[Region]) -> bool:
    text = phrase.text.strip()
    if len(text) < 3 or sum(ch.isdigit() for ch in text) > len(text) * 0.3:
        return False
    folded = fold(text)
    if (
        DOCUMENT_TITLES.match(folded)
        or match_label(folded, HEADER_PATTERNS)
        or folded.strip(" ,.") in WEEKDAYS
    ):
        return False
    return not any(region.contains(phrase) for region in buyers)


_SEGMENTS = re.compile(r"\s+[-–|•●·]\s+|\s*[|•●·]\s*|,\s+")
_PERSON = re.compile(
    r"^(?:herr|frau|mr|mrs|ms|mme|m\.|monsieur|madame|sr\.?|sra\.?|sig\.?|sig\.ra|dhr\.?|mevr\.?)\b"
)
_LEGAL_INSIDE = re.compile(
    r"^(.{2,60}\b(?:gmbh|ag|kg|ohg|sarl|sas|sasu|eurl|sa|srl|s\.r\.l\.|spa|s\.p\.a\.|bv|b\.v\.|"
    r"nv|n\.v\.|ltd|limited|llc|inc|plc|s\.l\.|s\.a\.|ug)\.?)(?:\s|$)",
    re.IGNORECASE,
)


@dataclass
class _Name:
    text: str
    phrase: Phrase
    score: float = 0.0
    seen: int = 0


def _segments(phrase: Phrase) -> list[str]:
    return [part.strip() for part in _SEGMENTS.split(phrase.text) if part.strip()]


def find_vendor_name(pages: list[PageText], hits: list[LabelHit]) -> Candidate | None:
    """Score every name-like text: a legal form, a sender line above the address window ("ACME GmbH
    · Street 1 · City"), the largest text at the top, recurrence (footer, bank block); names in the
    bill-to block or led by a salutation are never the seller."""
    if not pages or not pages[0].lines:
        return None
    first = pages[0]
    buyers = buyer_regions(hits)
    heights = sorted(phrase.height for line in first.lines for phrase in line.phrases)
    median = heights[len(heights) // 2]
    names: dict[str, _Name] = {}
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                if any(region.contains(phrase) for region in buyers):
                    continue
                parts = _segments(phrase)
                for index, part in enumerate(parts):
                    legal = _LEGAL_INSIDE.match(part)
                    text = legal.group(1) if legal else part
                    key = fold(text)
                    if not _name_like(text):
                        continue
                    entry = names.setdefault(key, _Name(text, phrase))
                    entry.seen += 1
                    if legal:
                        entry.score = max(entry.score, 0.3)
                    if page is first and line.top < first.height * 0.35:
                        if index == 0 and len(parts) >= 3 and phrase.height <= median * 1.05:
                            entry.score += 0.3  # the sender line printed above the address window
                        if phrase.height >= 1.3 * median and index == 0:
                            entry.score += 0.2
    if not names:
        return None
    for entry in names.values():
        if entry.seen > 1:
            entry.score += 0.15
    ranked = sorted(names.values(), key=lambda e: (-e.score, e.phrase.page, e.phrase.top))
    best = ranked[0]
    if best.score < 0.2:
        return _largest_at_top(first, buyers)
    confidence = min(0.95, 0.45 + best.score)
    if len(ranked) > 1 and ranked[1].score >= best.score - 0.1:
        confidence = min(confidence, 0.7)
    return Candidate(best.text, round(confidence, 3), best.phrase.page, best.phrase.bbox(), best.phrase.text)


def _name_like(text: str) -> bool:
    if len(text) < 3 or len(text) > 60 or sum(ch.isdigit() for ch in text) > len(text) * 0.2:
        return False
    folded = fold(text)
    if "@" in text or "www." in folded or "http" in folded or _PERSON.match(folded):
        return False
    if DOCUMENT_TITLES.match(folded) or match_label(folded, HEADER_PATTERNS):
        return False
    if folded.strip(" ,.") in WEEKDAYS:
        return False
    return any(ch.isalpha() for ch in text)


def _largest_at_top(first: PageText, buyers: list[Region]) -> Candidate | None:
    """No name-like evidence: the biggest text in the top 30 % of page one, as a weak guess."""
    top = [
        phrase for line in first.lines if line.top < first.height * 0.3 for phrase in line.phrases
        if _name_like(phrase.text.strip()) and not any(region.contains(phrase) for region in buyers)
    ]  # fmt: skip
    if not top:
        return None
    best = max(top, key=lambda p: (round(p.height, 1), -p.top))
    return Candidate(best.text.strip(), 0.55, best.page, best.bbox(), best.text)
