"""Which block of the page is the seller's and which the buyer's.

A party block is a small column of lines: a name, an address, ids. Its role comes from the page,
never from its position alone:

* a caption over it — the seller's (``Seller``, ``Lieferant``, ``Fournisseur``, ``Emisor``,
  ``Cedente/prestatore``…) or the buyer's (``Bill to``, ``Kunde``, ``Destinataire``, ``Cliente``,
  ``Cessionario/committente``, ``Spett.le``…);
* an "attention of" line inside it (``t.a.v.``, ``z. Hd.``, ``Attn``, ``c/o``): a recipient's address;
* the DIN 5008 sender line (``ACME GmbH · Street 1 · City``) printed right above an address: the
  address under it is the recipient's, in the envelope window.

Blocks whose role the page does not state stay unknown; callers keep their confidence lower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import LabelHit
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.page_text import PageText, Phrase
from agents.ap.extract.vocabulary import fold
from agents.ap.extract.vocabulary_extra import ATTENTION_WORDS, PARTY_CAPTIONS

SELLER, BUYER = "seller", "buyer"
BLOCK_WIDTH = 260.0
"""How far right of its caption a party block may reach (unless another block starts sooner)."""
MAX_LINES = 9
LINE_GAP = 2.2
"""A block ends at a vertical gap larger than this many line heights."""
SENDER_SEPARATORS = re.compile(r"\s+[-–|•●·]\s+|\s*[|•●·]\s*|,\s+")
SEPARATOR_CHAR = re.compile(r"[-–|•●·,]")
"""A character every sender separator holds (here and in `name_text.SEGMENTS`): a cheap test before
the split."""


@dataclass(frozen=True)
class Region:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    def contains(self, phrase: Phrase) -> bool:
        return self.holds(phrase.page, phrase.x0, phrase.top)

    def holds(self, page: int, x: float, y: float) -> bool:
        return page == self.page and self.x0 <= x <= self.x1 and self.top <= y <= self.bottom


@dataclass(frozen=True)
class PartyMap:
    """The seller's and the buyer's blocks found on the pages; a point in both belongs to the
    block whose caption is nearest above it."""

    seller: tuple[Region, ...]
    buyer: tuple[Region, ...]
    captions: frozenset[tuple[int, float, float]]
    """(page, x0, top) of every party caption phrase: a caption is never a party's name."""

    def role(self, page: int, x: float, y: float) -> str | None:
        if not self.seller and not self.buyer:
            return None  # no block found (most documents)
        best: tuple[float, str] | None = None
        for role, regions in ((SELLER, self.seller), (BUYER, self.buyer)):
            for region in regions:
                if region.holds(page, x, y) and (best is None or region.top > best[0]):
                    best = (region.top, role)
        return best[1] if best else None

    def role_of(self, phrase: Phrase) -> str | None:
        return self.role(phrase.page, phrase.x0, phrase.top)

    def is_caption(self, phrase: Phrase) -> bool:
        return (phrase.page, phrase.x0, phrase.top) in self.captions


@lru_cache(maxsize=1)
def _caption_patterns() -> dict[str, re.Pattern[str]]:
    return {
        role: re.compile(
            r"^\s*(?:" + "|".join(words) + r")(?![a-z0-9])\s*(?:\([^)]*\))?\s*(?::\s*(?P<rest>.*))?$"
        )
        for role, words in PARTY_CAPTIONS.items()
    }


@lru_cache(maxsize=1)
def _attention() -> re.Pattern[str]:
    return re.compile(r"^\s*(?:" + "|".join(ATTENTION_WORDS) + r")(?![a-z0-9])")


@lru_cache(maxsize=4096)
def caption_role(text: str) -> tuple[str, str] | None:
    """(role, the text after the caption's colon) when `text` is a party caption."""
    folded = fold(text)
    for role, pattern in _caption_patterns().items():
        match = pattern.match(folded)
        if match:
            start = match.start("rest") if match.group("rest") is not None else len(text)
            return role, text[start:].strip()
    return None


def party_map(pages: list[PageText], hits: list[LabelHit]) -> PartyMap:
    seller: list[Region] = []
    buyer: list[Region] = []
    captions: set[tuple[int, float, float]] = set()
    for page in pages:
        for index, line in enumerate(page.lines):
            if header_columns(line) is not None:
                continue
            for position, phrase in enumerate(line.phrases):
                found = caption_role(phrase.text)
                if found is None:
                    continue
                captions.add((phrase.page, phrase.x0, phrase.top))
                region = _block_below(page, index, position)
                (seller if found[0] == SELLER else buyer).append(region)
    for hit in hits:
        if hit.field == "bill_to" and _caption_like(hit):
            # the bill-to label as the label vocabulary reads it ("Rechnungsadresse", "Klant")
            phrase = hit.phrase
            captions.add((phrase.page, phrase.x0, phrase.top))
            buyer.append(
                Region(
                    phrase.page, phrase.x0 - 5, phrase.top - 2, phrase.x0 + BLOCK_WIDTH, phrase.bottom + 75
                )
            )
    if pages:
        buyer.extend(_recipient_blocks(pages[0]))
    return PartyMap(tuple(seller), tuple(buyer), frozenset(captions))


def _caption_like(hit: LabelHit) -> bool:
    """A bill-to label standing as a caption ("Bill to", "Kunde:", "Client : ACME SA"), not the first
    words of a sentence ("Facture à régler par virement…")."""
    text = hit.phrase.text
    rest = text[hit.label_end : hit.value_end].strip()
    return not rest or ":" in text[: hit.label_end + 1] or rest.startswith(":")


def _right_limit(page: PageText, line_index: int, position: int) -> float:
    """Where the caption's block ends on the right: before the next phrase on its line — unless the
    caption stands alone and that phrase is its party's name ("To:      ACME Ltd")."""
    line = page.lines[line_index]
    phrase = line.phrases[position]
    after = [n for n in line.phrases[position + 1 :] if n.x0 > phrase.x1 + 10]
    if after and _named_value(phrase, after[0]):
        reach = after[0].x0 + BLOCK_WIDTH
        return min(after[1].x0 - 3, reach) if len(after) > 1 else min(page.width, reach)
    if after:
        return min(after[0].x0 - 3, phrase.x0 + BLOCK_WIDTH)
    return min(page.width, phrase.x0 + BLOCK_WIDTH)


def _named_value(caption: Phrase, neighbour: Phrase) -> bool:
    """A name printed after a bare caption on its line: letters, no digits, no label of its own."""
    found = caption_role(caption.text)
    text = neighbour.text.strip()
    return (
        found is not None
        and not found[1]
        and caption.text.rstrip().endswith(":")
        and neighbour.x0 - caption.x1 < 150
        and not any(ch.isdigit() for ch in text)
        and ":" not in text
        and caption_role(text) is None
    )


def _block_below(page: PageText, line_index: int, position: int) -> Region:
    """The caption's block: the lines under it that start in its column, until a gap, another
    caption or a table header."""
    phrase = page.lines[line_index].phrases[position]
    x0, x1 = phrase.x0 - 5, _right_limit(page, line_index, position)
    bottom = phrase.bottom
    for line in page.lines[line_index + 1 : line_index + 1 + MAX_LINES]:
        inside = [p for p in line.phrases if x0 <= p.x0 <= x1]
        if not inside:
            if line.top - bottom > LINE_GAP * phrase.height:
                break
            continue
        if line.top - bottom > LINE_GAP * max(phrase.height, inside[0].height):
            break
        if header_columns(line) is not None or caption_role(inside[0].text) is not None:
            break
        bottom = max(p.bottom for p in inside)
    return Region(page.number, x0, phrase.top - 2, x1, bottom + 1)


def _column(page: PageText, line_index: int, phrase: Phrase, step: int, limit: int) -> Phrase:
    """The farthest phrase reached from `phrase` walking up (-1) or down (+1) through lines that
    start in the same column without a gap."""
    last = phrase
    index = line_index
    for _ in range(limit):
        index += step
        if not 0 <= index < len(page.lines):
            break
        aligned = [p for p in page.lines[index].phrases if abs(p.x0 - phrase.x0) <= 6]
        if not aligned:
            break
        gap = last.top - aligned[0].bottom if step < 0 else aligned[0].top - last.bottom
        if gap > LINE_GAP * max(last.height, 1.0):
            break
        last = aligned[0]
    return last


def _recipient_blocks(first: PageText) -> list[Region]:
    """Address blocks the page marks as the recipient's without a caption: the block holding an
    "attention of" line, and the address printed right under a DIN 5008 sender line."""
    found: list[Region] = []
    attention = _attention()
    limit = first.height * 0.45
    for index, line in enumerate(first.lines):
        if line.top > limit:
            break
        for phrase, folded in zip(line.phrases, folded_phrases(line), strict=True):  # the line's memo
            if _addressed(first, index, phrase, folded):
                bottom = _column(first, index, phrase, 1, 6)
                found.append(
                    Region(
                        first.number,
                        phrase.x0 - 6,
                        phrase.top - 1,
                        phrase.x0 + BLOCK_WIDTH,
                        bottom.bottom + 1,
                    )
                )
            elif attention.match(folded):
                top = _column(first, index, phrase, -1, 4)
                bottom = _column(first, index, phrase, 1, 6)
                found.append(
                    Region(
                        first.number, phrase.x0 - 6, top.top - 1, phrase.x0 + BLOCK_WIDTH, bottom.bottom + 1
                    )
                )
            elif _sender_line(phrase, line.top, first) and index + 1 < len(first.lines):
                below = first.lines[index + 1]
                under = [p for p in below.phrases if abs(p.x0 - phrase.x0) <= 15]
                if (
                    under
                    and below.top - phrase.bottom <= 3 * phrase.height
                    and under[0].height >= 1.15 * phrase.height  # the address is set larger than the sender
                ):
                    bottom = _column(first, index + 1, under[0], 1, 7)
                    found.append(
                        Region(
                            first.number, under[0].x0 - 6, under[0].top - 1, under[0].x0 + BLOCK_WIDTH,
                            bottom.bottom + 1,
                        )
                    )  # fmt: skip
    return found


_SALUTATION = re.compile(
    r"^(?:herrn?|frau|familie|firma\s+herrn?|mr|mrs|ms|miss|m|mme|mlle|monsieur|madame|sr|sra|srta|"
    r"senor|senora|sig|sig\.?ra|dhr|mevr|mw|de\s*heer|mevrouw)\.?(?:\s+\S|$)"
)
_POSTCODE = re.compile(r"(?:^|\s)(?:[a-z]{1,2}-?)?\d{4,5}\s+[a-z]")


def _addressed(page: PageText, index: int, phrase: Phrase, folded: str) -> bool:
    """A postal address opened by a salutation ("Herrn", "M DE LATTRE ALEXIS", "Mme Dupont") with a
    postcode line under it: the recipient in the envelope window, whatever company it names.
    (`folded`: the phrase's text folded.)"""
    stripped = phrase.text.strip()
    if not _SALUTATION.match(folded if stripped == phrase.text else fold(stripped)):
        return False
    if index > 0 and any(
        abs(p.x0 - phrase.x0) <= 6 and phrase.top - p.bottom <= 0.8 * phrase.height
        for p in page.lines[index - 1].phrases
    ):
        return False  # a contact person inside a block, not the head of an address
    for line in page.lines[index + 1 : index + 6]:
        for p in line.phrases:
            if abs(p.x0 - phrase.x0) <= 6 and _POSTCODE.search(fold(p.text)):
                return True
    return False


def _sender_line(phrase: Phrase, top: float, page: PageText) -> bool:
    """A one-line sender (name · street · city) in small type in the top third of page one."""
    if top > page.height * 0.35 or SEPARATOR_CHAR.search(phrase.text) is None:
        return False  # low on the page, or nothing to split at
    parts = [part for part in SENDER_SEPARATORS.split(phrase.text) if part.strip()]
    return len(parts) >= 3 and not any(ch.isdigit() for ch in parts[0])
