"""The seller's name: the letterhead — the biggest text near the top of page one that is not the
document title, a label, or the bill-to block — confirmed when the same name recurs (footer,
next to the tax id) and when it carries a legal form (GmbH, SAS, BV, LLC...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    if DOCUMENT_TITLES.match(folded) or match_label(folded, HEADER_PATTERNS):
        return False
    return not any(region.contains(phrase) for region in buyers)


def find_vendor_name(pages: list[PageText], hits: list[LabelHit]) -> Candidate | None:
    if not pages or not pages[0].lines:
        return None
    first = pages[0]
    buyers = buyer_regions(hits)
    top_phrases = [
        phrase for line in first.lines if line.top < first.height * 0.3 for phrase in line.phrases
        if _eligible(phrase, buyers)
    ]  # fmt: skip
    if not top_phrases:
        return None
    heights = sorted(phrase.height for line in first.lines for phrase in line.phrases)
    median = heights[len(heights) // 2]
    best = max(top_phrases, key=lambda p: (round(p.height, 1), bool(LEGAL_FORMS.search(p.text)), -p.top))
    name = best.text.strip()
    confidence = 0.55
    if best.height >= 1.3 * median:
        confidence += 0.2
    if LEGAL_FORMS.search(name):
        confidence += 0.1
    if _recurs(pages, best, name):
        confidence += 0.12
    return Candidate(name, round(min(confidence, 0.97), 3), best.page, best.bbox(), name)


def _recurs(pages: list[PageText], origin: Phrase, name: str) -> bool:
    folded = fold(name)
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                if phrase is not origin and folded in fold(phrase.text):
                    return True
    return False
