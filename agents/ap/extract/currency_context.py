"""Currencies printed as a word the sign alone does not settle: ``kr``/``kr.`` (Swedish, Danish,
Norwegian or Icelandic crowns) and ``Fr.``/``SFr.`` (Swiss francs).

The word is taken only beside an amount (``1 234,50 kr``, ``kr 1.234,50``, ``Fr. 1'234.50``). Which
crown it is comes from the seller's country — the IBAN's country, else the VAT id's. A currency
inferred from a country is reported below the auto-post threshold; without a country, ``kr`` is
left unread rather than guessed.
"""

from __future__ import annotations

import re

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import PageText

CROWNS = {"SE": "SEK", "DK": "DKK", "FO": "DKK", "GL": "DKK", "NO": "NOK", "IS": "ISK"}
"""Seller country → the crown its ``kr`` means."""
FRANC_COUNTRIES = frozenset({"CH", "LI"})
INFERRED = 0.85
"""A currency whose code comes from the seller's country, not from the page."""
FRANC = 0.85
"""``Fr.`` beside an amount, the seller's country not Swiss or Liechtenstein (or unknown)."""
_AMOUNT = r"-?\d[\d .'’\u00a0\u202f]*(?:[.,]\d{1,2})?"
_WORD = re.compile(
    rf"(?:(?<![A-Za-z])(?P<pre>kr\.?|Kr\.?|SFr\.?|Fr\.)\s?{_AMOUNT}|{_AMOUNT}\s?(?P<post>kr|Kr|SFr|Fr)\.?(?![A-Za-z]))"
)


def _country(code: object) -> str | None:
    return str(code)[:2].upper() if code else None


def worded_currency(pages: list[PageText], iban: object | None, tax_id: object | None) -> Candidate | None:
    """``kr``/``Fr.`` beside an amount, resolved by the seller's country (IBAN, else VAT id)."""
    countries = [c for c in (_country(iban), _country(tax_id)) if c]
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                for match in _WORD.finditer(phrase.text):
                    word = (match.group("pre") or match.group("post")).rstrip(".").lower()
                    start, end = match.span()
                    if word == "kr":
                        code = next((CROWNS[c] for c in countries if c in CROWNS), None)
                        if code is None:
                            continue
                        confidence = INFERRED
                    else:
                        code = "CHF"
                        swiss = any(c in FRANC_COUNTRIES for c in countries)
                        confidence = 0.9 if swiss or word == "sfr" else FRANC
                    return Candidate(
                        code, confidence, page.number, phrase.bbox(start, end), phrase.text[start:end]
                    )
    return None
