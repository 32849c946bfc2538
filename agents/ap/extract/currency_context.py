"""Currencies printed as a word the sign alone does not settle: ``kr``/``kr.`` (Swedish, Danish,
Norwegian or Icelandic crowns) and ``Fr.``/``SFr.`` (Swiss francs); and the signs, words and ISO
codes the general currency reader lacks (``₹``/``Rs.``, ``Ft``, ``lei``, ``₺``, ``₽``, ``₩``, ``₪``, any
ISO 4217 code such as ``INR 1,234.00``), read beside an amount only.

The word is taken only beside an amount (``1 234,50 kr``, ``kr 1.234,50``, ``Fr. 1'234.50``). Which
crown it is comes from the seller's country — the IBAN's country, else the VAT id's. A currency
inferred from a country is reported below the auto-post threshold; without a country, ``kr`` is
left unread rather than guessed.
"""

from __future__ import annotations

import re

from babel.numbers import list_currencies

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


SIGNS = {
    "₹": "INR",
    "₺": "TRY",
    "₽": "RUB",
    "₩": "KRW",
    "₪": "ILS",
    "₴": "UAH",
    "₦": "NGN",
    "₱": "PHP",
    "₫": "VND",
}
"""Signs that name one currency each."""
RUPEES = {"PK": "PKR", "LK": "LKR", "NP": "NPR", "MU": "MUR", "SC": "SCR"}
"""Seller country → the rupee its ``Rs.`` means (India's otherwise, below the auto-post threshold)."""
WORDS = {"ft": "HUF", "lei": "RON"}
_WORD_SHAPED_CODES = frozenset(
    {"ALL", "TOP", "CUP", "BAM", "ANG", "MOP", "SOS", "GEL", "PEN", "TRY", "MAD", "AMD"}
)
"""ISO codes that are also English words (or mean "no currency"): never read from the page as currencies."""
_SIGNED = re.compile(
    rf"(?:(?<![A-Za-z])(?P<pre>[{''.join(SIGNS)}]|Rs\.?|INR|[A-Z]{{3}})\s?{_AMOUNT}"
    rf"|\d\s?(?P<post>[{''.join(SIGNS)}]|Ft|lei|[A-Z]{{3}})(?![A-Za-z]))"
)


def other_currency(pages: list[PageText], tax_id: object | None) -> Candidate | None:
    """A sign, word or ISO code beside an amount that the general reader does not know."""
    codes = set(list_currencies())
    country = _country(tax_id)
    for page in pages:
        for line in page.lines:
            for phrase in line.phrases:
                for match in _SIGNED.finditer(phrase.text):
                    word = (match.group("pre") or match.group("post")).rstrip(".")
                    confidence = 0.9
                    if word in SIGNS:
                        code = SIGNS[word]
                    elif word == "Rs":
                        code, confidence = RUPEES.get(country or "", "INR"), INFERRED
                    elif word.lower() in WORDS:
                        code, confidence = WORDS[word.lower()], INFERRED
                    elif word in codes and word not in _WORD_SHAPED_CODES:
                        code = word
                    else:
                        continue
                    start, end = match.span()
                    return Candidate(
                        code, confidence, page.number, phrase.bbox(start, end), phrase.text[start:end]
                    )
    return None


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
    return other_currency(pages, tax_id)
