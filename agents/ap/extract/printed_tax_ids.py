"""Tax ids that no VAT format covers, read as printed after the seller's tax label.

An Australian ABN (``ABN: 11 119 159 741``), an Indian GSTIN or TIN (``VAT/TIN: 29670869006``), a
misprinted VAT id (``TVA F63530848134``): the label says what the number is, so it is reported as
printed — never in the buyer's block or after buyer wording ("Your ABN", "Customer GSTIN"). Only an
id whose own check digits hold (ABN, GSTIN) reaches a useful confidence; every other stays low and
carries a warning, so a person looks at it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.au import abn
from stdnum.in_ import gstin

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import PageText
from agents.ap.extract.party_blocks import BUYER, PartyMap
from agents.ap.extract.vocabulary import fold

CHECKED = 0.8
"""A labelled id whose check digits hold: the label and the checksum agree, the role is inferred."""
AS_PRINTED = 0.4
"""A labelled number of no known format: shown to a person, never posted on its own."""

_LABELS = (
    r"abn", r"gstin", r"gst\s*(?:reg(?:istration)?\.?\s*)?(?:no\.?|number|#)", r"vat\s*/\s*tin", r"vat\s*tin",
    r"tin", r"tax\s*id(?:entification)?(?:\s*(?:no\.?|number))?", r"n[°o]\.?\s*(?:de\s*)?tva(?:\s*intra\w*)?",
    r"tva(?:\s*intra\w*)?", r"vat(?:\s*(?:reg(?:istration)?\.?\s*)?(?:no\.?|number|id))?", r"nif", r"cif",
    r"ust-?\s*id(?:nr)?\.?", r"btw(?:-?\s*(?:nr\.?|nummer))?", r"p\.?\s*iva",
)  # fmt: skip
_BUYER_WORDS = re.compile(r"\b(?:your|ihre?|votre|uw|su|customer|client|buyer|kunde|klant|cliente)\b")


@lru_cache(maxsize=1)
def _label() -> re.Pattern[str]:
    return re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(_LABELS) + r")(?![a-z])\s*[:#.]?\s*(?P<id>[a-z0-9][a-z0-9 ]{6,24})"
    )


def _compact(printed: str) -> str:
    """The id's groups ("11 119 159 741") up to the first word that is not part of it."""
    kept: list[str] = []
    for token in printed.split():
        if kept and (token.isalpha() or len("".join(kept) + token) > 15):
            break
        kept.append(token)
    return "".join(kept).upper()


def checked(value: str) -> bool:
    return bool(abn.is_valid(value) or gstin.is_valid(value))


def printed_tax_ids(pages: list[PageText], parties: PartyMap) -> list[Candidate]:
    """Labelled seller tax ids of any country, each as printed, outside the buyer's block."""
    found: list[Candidate] = []
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                folded = fold(phrase.text)
                if len(folded) != len(phrase.text) or parties.role_of(phrase) == BUYER:
                    continue
                for match in _label().finditer(folded):
                    value = _compact(match.group("id"))
                    digits = sum(ch.isdigit() for ch in value)
                    if not 8 <= len(value) <= 15 or _BUYER_WORDS.search(folded[: match.start()]):
                        continue
                    ok = checked(value)
                    if not ok and digits < 0.75 * len(value):
                        continue
                    start = match.start("id")
                    found.append(
                        Candidate(
                            value,
                            CHECKED if ok else AS_PRINTED,
                            page.number,
                            phrase.bbox(start, start + len(match.group("id").rstrip())),
                            phrase.text[start : start + len(match.group("id"))].strip(),
                            ok,
                        )
                    )
    return found
