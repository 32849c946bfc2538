"""The seller's name, scored on evidence: a legal form (GmbH, S.L.U., V.O.F., LLC…), the seller's
block (`party_blocks`: captioned, or holding the seller's bank account, register or only VAT id),
the account holder, the DIN 5008 sender line, the letterhead's larger type, recurrence. Names in
the buyer's block or in a line-item row are never the seller's; without a role the name stays
below the auto-post threshold when another scores close to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate, LabelHit
from agents.ap.extract.identifiers import find_ibans
from agents.ap.extract.name_text import (
    SENTENCE_WORDS,
    NameTests,
    address_heads,
    continued,
    heading,
    legal_name,
    name_like,
    named_part,
    patterns,
    segments,
)
from agents.ap.extract.page_text import PageText, Phrase, TextLine
from agents.ap.extract.party_blocks import BUYER, SELLER, PartyMap, caption_role, party_map
from agents.ap.extract.vocabulary import DOCUMENT_TITLES, HEADER_PATTERNS, fold, match_label

AUTO_POST = 0.9
_SEPARATED = re.compile(r"[·|•●]|\s[-–]\s")
"""A long line cut by these is a footer or sender line of parts, not a sentence."""
ItemRows = frozenset[tuple[int, int]]
"""(page, rounded top) of every line-item row: a description is never the seller's name."""


@dataclass
class _Name:
    text: str
    phrase: Phrase
    score: float = 0.0
    seen: int = 0
    marks: set[str] = field(default_factory=set)
    """Evidence counted once however often the name is printed (account holder, bank block)."""


def _two_letters(text: str) -> bool:
    """Whether `text` holds at least two letters; a text opening with two (most words) needs no
    count."""
    return (len(text) > 1 and text[:2].isalpha()) or sum(map(str.isalpha, text)) >= 2


def find_vendor_name(
    pages: list[PageText],
    hits: list[LabelHit],
    parties: PartyMap | None = None,
    item_rows: ItemRows = frozenset(),
    sole_tax_id: Candidate | None = None,
) -> Candidate | None:
    """Score every name-like text: a legal form, the seller's block (captioned, or holding the
    seller's bank account or company register), the sender line above the address window ("ACME
    GmbH · Street 1 · City"), the largest text at the top, the account holder ("t.n.v. ACME B.V."),
    recurrence (footer, bank block); names in the buyer's block, in a line-item row or led by a
    salutation are never the seller."""
    if not pages or not pages[0].lines:
        return None
    first = pages[0]
    parties = parties if parties is not None else party_map(pages, hits)
    heights = sorted(phrase.height for line in first.lines for phrase in line.phrases)
    median = heights[len(heights) // 2]
    names: dict[str, _Name] = {}
    in_block: dict[int, list[tuple[bool, bool, float, str]]] = {}
    tests = NameTests()
    anchored = _anchored_names(pages, parties, sole_tax_id, tests)
    payee_words = patterns().payee
    blocks = bool(parties.seller or parties.buyer)  # no block found (most documents): no phrase has a role
    for page in pages:
        for line_index, line in enumerate(page.lines):
            if (page.number, round(line.top)) in item_rows:
                continue
            folded_line = folded_phrases(line)  # memo of the line: the label search folded it
            for position, phrase in enumerate(line.phrases):
                if not _two_letters(phrase.text) or _labelled_after(line.phrases, position):
                    continue  # an amount, a date, a number: never a name; a label before its ": value"
                text_source = phrase.text
                caption = caption_role(text_source)
                if caption is not None:
                    if caption[0] == BUYER or not caption[1]:
                        continue
                    text_source = caption[1]  # "Sold by: ACME Ltd"
                    role: str | None = SELLER
                else:
                    role = parties.role_of(phrase) if blocks else None
                    if role == BUYER or (parties.captions and parties.is_caption(phrase)):
                        continue
                if tests.continues_above(page, line_index, phrase):
                    continue  # scored with the line it completes
                parts = segments(text_source)
                sentence = (
                    len(text_source) > 2 * SENTENCE_WORDS  # more words than that need this many characters
                    and len(text_source.split()) > SENTENCE_WORDS
                    and not _SEPARATED.search(text_source)
                )
                folded_source = folded_line[position] if caption is None else fold(text_source)
                paid_to = payee_words.search(folded_source) is not None
                for index, part in enumerate(parts):
                    folded = folded_source if part == text_source else fold(part)
                    payee = payee_words.search(folded) if paid_to else None
                    if payee is not None and payee.end() < len(part):
                        part, folded = part[payee.end() :], folded[payee.end() :]
                    elif payee is not None:
                        payee = None
                    named, labelled = named_part(part, folded)
                    legal = tests.legal_name(named)
                    if legal is None and len(parts) == 1:
                        rest = tests.continuation(page, line_index, phrase)
                        if rest is not None:  # "MVM Musterhafter / Versicherungsverein Musterstadt a.G."
                            named = f"{named} {rest.text.strip()}"
                            legal = tests.legal_name(named)
                    if sentence and legal is None and payee is None:
                        continue  # "… regarding your bill, individual charges, …"
                    text = legal or named
                    if not tests.name_like(text, folded if text == part else None):
                        continue
                    key = (folded if text == part else fold(text)).rstrip(". ")
                    entry = names.get(key)
                    if entry is None:
                        entry = names[key] = _Name(text, phrase)
                    if text.rstrip(". ") == entry.text.rstrip(". "):
                        if (
                            text.endswith(".")
                            and legal
                            and legal.endswith(".")
                            and continued(phrase.text, text)
                        ):
                            entry.text = text  # "Pvt. Ltd." in full, not "Pvt. Ltd :" of a signature
                    elif len(text) < len(entry.text):
                        entry.text = (
                            text  # "ACME LLC" in the letterhead, "… payable to ACME LLC." in a sentence
                        )
                    entry.seen += 1
                    if legal:
                        entry.score = max(entry.score, 0.3)
                    if payee is not None and "payee" not in entry.marks:
                        entry.marks.add("payee")
                        entry.score += 0.3  # the account holder printed with the bank details
                    if role == SELLER:
                        region = _region_index(parties, phrase)
                        near = region < 0 or phrase.top - parties.seller[region].top <= 3 * phrase.height
                        in_block.setdefault(region, []).append(
                            (bool(legal) or labelled, near, phrase.top, key)
                        )
                    if key in anchored and index == 0 and "anchored" not in entry.marks:
                        entry.marks.add("anchored")
                        entry.score += 0.25
                    if page is first and line.top < first.height * 0.35:
                        if index == 0 and len(parts) >= 3 and phrase.height <= median * 1.05:
                            entry.score += 0.3  # the sender line printed above the address window
                        if phrase.height >= 1.3 * median and index == 0:
                            entry.score += 0.2
    for found in in_block.values():
        # a name with a legal form or a name label anywhere in the block, else the line under the caption
        marked = [item for item in found if item[0]] or [item for item in found[:1] if item[1]]
        if marked:
            names[min(marked, key=lambda item: item[2])[3]].score += 0.4  # the name in the seller's block
    if not names:
        return None
    heads = [head for head in address_heads(first) if parties.role_of(head) != BUYER]
    if heads:
        head = heads[0].text.strip()
        addressed = names.get(fold(legal_name(head) or head).rstrip(". "))
        if addressed is not None:
            addressed.score += 0.2  # the first address on the page that is not the recipient's
            addressed.marks.add("address")
    for entry in names.values():
        if entry.seen > 1:
            entry.score += 0.15
    ranked = sorted(names.values(), key=lambda e: (-e.score, e.phrase.page, e.phrase.top))
    best = ranked[0]
    if best.score < 0.2:
        return _largest_at_top(first, parties)
    confidence = min(0.95, 0.45 + best.score)
    if len(ranked) > 1 and ranked[1].score >= best.score - 0.1:
        confidence = min(confidence, 0.7)
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if "address" in best.marks and best.score - 0.2 < runner_up + 0.1:
        confidence = min(confidence, AUTO_POST - 0.05)  # its position alone decided: a guess
    if "anchored" in best.marks and any(_rival(other) for other in ranked[1:]):
        confidence = min(confidence, AUTO_POST - 0.05)  # two blocks with a register or account each
    return Candidate(best.text, round(confidence, 3), best.phrase.page, best.phrase.bbox(), best.phrase.text)


def _rival(other: _Name) -> bool:
    """Another name heading a block with a register, an account or the tax id: a second company."""
    text = other.text
    return (
        "anchored" in other.marks
        and not any(ch.isdigit() for ch in text)
        and patterns().register.search(fold(text)) is None
    )


def _labelled_after(phrases: list[Phrase], position: int) -> bool:
    """Whether the next phrase on the line starts with a colon: this one is its label."""
    return position + 1 < len(phrases) and phrases[position + 1].text.lstrip().startswith(":")


def _region_index(parties: PartyMap, phrase: Phrase) -> int:
    containing = [
        (region.top, number) for number, region in enumerate(parties.seller) if region.contains(phrase)
    ]
    return max(containing)[1] if containing else -1


def _aligned(a: Phrase, b: Phrase) -> bool:
    return abs(a.x0 - b.x0) <= 8 or abs(a.x1 - b.x1) <= 8 or abs((a.x0 + a.x1) - (b.x0 + b.x1)) <= 16


def _holds(phrase: Phrase, anchor: Candidate | None) -> bool:
    return (
        anchor is not None
        and anchor.page == phrase.page
        and phrase.x0 - 1 <= anchor.bbox[0] <= phrase.x1
        and abs(anchor.bbox[1] - phrase.top) <= 2
    )


def _anchored_names(
    pages: list[PageText], parties: PartyMap, sole_tax_id: Candidate | None, tests: NameTests
) -> set[str]:
    """Names at the head of a block that holds the seller's bank account, company register or the
    only VAT id on the document (a letterhead "ACME B.V. / street / KvK … / IBAN …"), or in the same
    phrase as them (a footer). (`tests`: the document's name tests, which the main reading asks
    again of the same heads.)"""
    found: set[str] = set()
    for page in pages:
        for index, line in enumerate(page.lines):
            letterhead = page.number == 1 and line.top < page.height * 0.45
            holds_tax_id = sole_tax_id is not None and sole_tax_id.page == page.number
            if not (
                letterhead
                or line.top > page.height * 0.75
                or (holds_tax_id and sole_tax_id is not None and abs(sole_tax_id.bbox[1] - line.top) <= 2)
            ):
                continue  # seller blocks sit in the letterhead or the footer
            for phrase in _anchors(line, sole_tax_id if holds_tax_id else None):
                if parties.role_of(phrase) == BUYER or _BUYER_WORDING.search(fold(phrase.text)):
                    continue
                head, last = phrase, phrase
                for above in reversed(page.lines[max(0, index - 8) : index]):
                    aligned = [p for p in above.phrases if _aligned(p, last)]
                    if not aligned or last.top - aligned[0].bottom > 1.2 * max(last.height, 1.0):
                        break
                    last = aligned[0]
                    if match_label(fold(last.text), HEADER_PATTERNS) or DOCUMENT_TITLES.match(
                        fold(last.text)
                    ):
                        break
                    head = last
                parts = segments(head.text)
                if parts:
                    named = named_part(parts[0], fold(parts[0]))[0]
                    legal = tests.legal_name(named)
                    walked = head is not phrase
                    if not legal and (
                        not tests.name_like(head.text if walked else parts[0])
                        or (walked and heading(head.text))
                    ):
                        continue  # a sentence or a heading ("Bankverbindung"), not a letterhead's name
                    found.add(fold(legal or named).rstrip(". "))
    return found


def _anchors(line: TextLine, tax_id: Candidate | None) -> list[Phrase]:
    """The phrases of `line` printing a bank account, a company register or the tax id (`tax_id`:
    the sole one, when on this page). The line's text is searched first: a phrase matches only
    where its line does, and most lines hold neither."""
    if tax_id is not None and not line.top - 2 <= tax_id.bbox[1] <= line.bottom + 2:
        tax_id = None  # printed on another line: no phrase here starts beside it
    account = _IBAN_HINT.search(line.text) is not None
    folded = folded_phrases(line)  # the line's text folded is its phrases' folded texts joined
    register = patterns().register.search("   ".join(folded)) is not None
    if not (account or register or tax_id):
        return []
    return [
        phrase
        for phrase, folded_phrase in zip(line.phrases, folded, strict=True)
        if (register and patterns().register.search(folded_phrase))
        or _holds(phrase, tax_id)
        or (account and _IBAN_HINT.search(phrase.text) and find_ibans(phrase.text))
    ]


_IBAN_HINT = re.compile(r"[A-Za-z]{2}\d{2}")
"""Cheap test before the full IBAN reading: a country code and check digits."""
_BUYER_WORDING = re.compile(r"\b(?:your|ihre[mn]?|votre|uw|su|vostro|kunden|customer|client|klant|cliente)\b")
"""Possessives and nouns that make an account or id printed beside them the buyer's."""


def _largest_at_top(first: PageText, parties: PartyMap) -> Candidate | None:
    """No name-like evidence: the biggest text in the top 30 % of page one, as a weak guess; never a
    label printed before its ": value"."""
    top = [
        phrase for line in first.lines if line.top < first.height * 0.3
        for position, phrase in enumerate(line.phrases)
        if name_like(phrase.text.strip()) and parties.role_of(phrase) != BUYER and not parties.is_caption(phrase)
        and not _labelled_after(line.phrases, position)
    ]  # fmt: skip
    if not top:
        return None
    best = max(top, key=lambda p: (round(p.height, 1), -p.top))
    return Candidate(best.text.strip(), 0.55, best.page, best.bbox(), best.text)
