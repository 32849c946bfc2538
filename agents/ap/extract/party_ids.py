"""Whose tax id and IBAN: the seller's, told from the buyer's by label wording and block role.

A VAT id printed in the buyer's block or with buyer wording ("Ihre USt-IdNr.", "N° TVA client") is
the buyer's; between two others the seller's block decides, then the seller's name beside one of
them. An IBAN labelled as the buyer's, printed in the buyer's block or in a direct-debit sentence
("von Ihrem Konto … abgebucht") is never preferred to the seller's account.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from agents.ap.extract.header_fields import (
    Candidate,
    decide,
    iban_parser,
    tax_id_parser,
    unlabelled_candidates,
)
from agents.ap.extract.identifiers import vat_id_valid
from agents.ap.extract.line_items import RawLine
from agents.ap.extract.page_text import PageText
from agents.ap.extract.party_blocks import BUYER, SELLER, PartyMap
from agents.ap.extract.printed_tax_ids import printed_tax_ids
from agents.ap.extract.vendor_name import ItemRows
from agents.ap.extract.vocabulary import fold
from agents.ap.extract.vocabulary_extra import DEBIT_WORDS

UNLABELLED = 0.55
"""Confidence of a self-describing value (VAT id, IBAN) found without a label."""
AUTO_POST = 0.9
"""The confidence from which a field may post without a person: a tax id chosen among several
without knowing whose block it is in stays under it."""
DEBITED = 0.5
"""Factor on an IBAN printed in a direct-debit sentence: the buyer's account, kept only when no
other account is printed."""


@lru_cache(maxsize=1)
def _debit() -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])(?:" + "|".join(DEBIT_WORDS) + r")(?![a-z])")


def _debited(candidate: Candidate, pages: list[PageText]) -> bool:
    """Whether the IBAN sits after direct-debit wording in its own phrase."""
    page = pages[candidate.page - 1]
    x0, top = candidate.bbox[0], candidate.bbox[1]
    for line in page.lines:
        if abs(line.top - top) > 2:
            continue
        for phrase in line.phrases:
            if phrase.x0 - 1 <= x0 <= phrase.x1:
                start = phrase.text.find(candidate.text[:4])
                return start > 0 and _debit().search(fold(phrase.text[:start])) is not None
    return False


_OTHERS_HEAD = re.compile(r"^\s*(?:vos|votre|your|ihre[mn]?|uw|su|sus|vostr[aeio])\b")
"""A block headed by the reader's possessive ("Vos identifiants", "Your details") holds the buyer's ids."""
_TAX_AGENT = re.compile(
    r"representant\s*fiscal|fiscal\s*representative|tax\s*representative|fiskalvertreter|"
    r"rappresentante\s*fiscale|representante\s*fiscal|fiscaal\s*vertegenwoordiger"
)
"""A tax representative's block: its id is the representative's, not the seller's."""


def _others_block(candidate: Candidate, pages: list[PageText]) -> bool:
    """Whether the id sits in a block headed by buyer wording or a tax representative's heading:
    the lines above it in its column, without a gap, up to the block's head."""
    page = pages[candidate.page - 1]
    x, top = candidate.bbox[0], candidate.bbox[1]
    for index, line in enumerate(page.lines):
        if abs(line.top - top) > 2:
            continue
        own = [p for p in line.phrases if p.x0 - 1 <= x <= p.x1]
        if not own:
            return False
        last = own[0]
        for above in reversed(page.lines[max(0, index - 6) : index]):
            aligned = [p for p in above.phrases if abs(p.x0 - last.x0) <= 10]  # a heading may stand out
            if not aligned or last.top - aligned[0].bottom > 1.5 * max(last.height, 1.0):
                break
            last = aligned[0]
            if _TAX_AGENT.search(fold(last.text)):
                return True
        return last is not own[0] and _OTHERS_HEAD.match(fold(last.text)) is not None
    return False


def _beside_vendor(candidate: Candidate, pages: list[PageText], vendor: Candidate | None) -> bool:
    """Whether the seller's name is printed in the same block: the same column a few lines above,
    or the same line (a footer "ACME GmbH · VAT DE…")."""
    if vendor is None:
        return False
    name = fold(vendor.value)
    page = pages[candidate.page - 1]
    x0, top = candidate.bbox[0], candidate.bbox[1]
    for line in page.lines:
        if not -60 <= top - line.top <= 60:
            continue
        for phrase in line.phrases:
            same_column = phrase.x0 - 15 <= x0 <= phrase.x1 + 60
            if name in fold(phrase.text) and (same_column or abs(line.top - top) < 2):
                return True
    return False


def sole_tax_id(labelled: dict[str, list[Candidate]], parties: PartyMap) -> Candidate | None:
    """The one labelled tax id on the document when there is exactly one and it is not the buyer's:
    the block it is printed in is the seller's."""
    buyer_ids = {c.value for c in labelled.get("buyer_tax_id", [])}
    found = [
        c
        for c in labelled.get("vendor_tax_id", [])
        if c.value not in buyer_ids and parties.role(c.page, c.bbox[0], c.bbox[1]) != BUYER
    ]
    return found[0] if len({c.value for c in found}) == 1 else None


def vendor_tax_id(
    pages: list[PageText],
    labelled: dict[str, list[Candidate]],
    parties: PartyMap,
    warnings: list[str],
    vendor: Candidate | None = None,
) -> Candidate | None:
    """The seller's tax id: a labelled one that is not the buyer's (by its label's wording or its
    block); else any VAT id/EIN on the document outside the buyer's block, with the lower confidence
    of an unlabelled value. Two different ids are told apart by their blocks' roles, then by the
    seller's name beside one of them; when neither decides, both stay below the auto-post threshold."""
    buyer_ids = {c.value for c in labelled.get("buyer_tax_id", [])}

    def role(c: Candidate) -> str | None:
        return parties.role(c.page, c.bbox[0], c.bbox[1])

    buyer_ids |= {
        c.value for c in labelled.get("vendor_tax_id", []) if role(c) == BUYER or _others_block(c, pages)
    }
    tax_ids = [c for c in labelled.get("vendor_tax_id", []) if c.value not in buyer_ids]
    if not tax_ids:
        found = unlabelled_candidates(pages, tax_id_parser, UNLABELLED)
        buyer_ids |= {c.value for c in found if _others_block(c, pages)}
        tax_ids = [c for c in found if c.value not in buyer_ids and role(c) != BUYER]
    printed = not tax_ids
    if printed:
        tax_ids = [c for c in printed_tax_ids(pages, parties) if c.value not in buyer_ids]
    if len({c.value for c in tax_ids}) > 1:
        seller_side = [c for c in tax_ids if role(c) == SELLER]
        beside = seller_side or [c for c in tax_ids if _beside_vendor(c, pages, vendor)]
        if not seller_side and vendor is not None and vendor.confidence < AUTO_POST:
            # placed beside a name that is itself a guess: the role is not known
            beside = [replace(c, confidence=min(c.confidence, AUTO_POST - 0.05)) for c in beside]
        if beside and len({c.value for c in beside}) == 1:
            others = [
                replace(c, confidence=round(c.confidence * 0.6, 3))
                for c in tax_ids
                if c.value != beside[0].value
            ]
            tax_ids = [*beside, *others]
    tax_id, conflict = decide(tax_ids)
    if conflict:
        warnings.append("vendor_tax_id: several different tax ids on the document")
    if tax_id is not None and printed and not tax_id.valid:
        warnings.append(f"tax id {tax_id.value} read as printed: no known format or check digits")
    elif tax_id is not None and not vat_id_valid(tax_id.value):
        warnings.append(f"VAT id {tax_id.value} fails its check digits")
        tax_id = replace(tax_id, confidence=round(min(tax_id.confidence, 0.5), 3))
    return tax_id


def seller_iban(
    pages: list[PageText], labelled: dict[str, list[Candidate]], parties: PartyMap, warnings: list[str]
) -> Candidate | None:
    """The seller's account: a labelled IBAN, else one printed anywhere — never one labelled or
        placed as the buyer's ("Ihre IBAN", in the bill-to block), and one in a direct-debit sentence only
    when no other account is printed."""
    buyer_ibans = {c.value for c in labelled.get("buyer_iban", [])}

    def sellers(found: list[Candidate]) -> list[Candidate]:
        return [
            c
            for c in found
            if c.value not in buyer_ibans and parties.role(c.page, c.bbox[0], c.bbox[1]) != BUYER
        ]

    def weighed(found: list[Candidate]) -> list[Candidate]:
        return [
            replace(c, confidence=round(c.confidence * DEBITED, 3)) if _debited(c, pages) else c
            for c in sellers(found)
        ]

    iban, conflict = decide(weighed(labelled.get("iban", [])))
    if conflict:
        warnings.append("iban: several different values are labelled on the document")
    if iban is None:
        iban = decide(weighed(unlabelled_candidates(pages, iban_parser, UNLABELLED)))[0]
    if iban is not None and not iban.valid:
        warnings.append(f"IBAN {iban.value} fails the ISO 13616 mod-97 checksum")
        iban = Candidate(
            iban.value, round(min(iban.confidence, 0.3), 3), iban.page, iban.bbox, iban.text, False
        )
    return iban


def item_rows(rows: list[RawLine]) -> ItemRows:
    tops = {(row.page, round(w.top)) for row in rows for words in row.cells.values() for w in words}
    return frozenset((page, top + shift) for page, top in tops for shift in (-1, 0, 1))
