"""Recognising tax ids, IBANs and currencies in free text, with the checks that prove plausibility.

A VAT id is recognised by its EU country format (prefix + the country's length and character rules);
a US EIN by ``NN-NNNNNNN``. IBANs are recognised by shape and validated with ISO 13616 mod 97 — a
failed check is reported, not hidden, so the caller can lower confidence and warn.
"""

from __future__ import annotations

import re
from string import ascii_letters

from schwifty.exceptions import SchwiftyException
from schwifty.registry import get_iban_spec
from stdnum.eu import vat as vat_eu

from connectors.erp.models import iban_is_valid

VAT_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"[1-9]\d{8}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d[A-Z0-9+*]\d{5}[A-Z]{1,2}",
    "IT": r"\d{11}",
    "LT": r"\d{9}(?:\d{3})?",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"\d{2,10}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "GB": r"\d{9}(?:\d{3})?",
    "XI": r"\d{9}(?:\d{3})?",
    "CH": r"E\d{9}(?:MWST|TVA|IVA)?",
}
"""Country prefix → the VAT id body after the prefix (domain reference §4.2)."""
_VAT_BODIES = {country: re.compile(body) for country, body in VAT_FORMATS.items()}
"""`VAT_FORMATS` compiled once: `find_vat_ids` tries a body against its format at every length."""
_BODY_SEPARATORS = re.compile(r"[\s.-]")

_VAT_CANDIDATE = re.compile(r"\b(?P<cc>[A-Z]{2})[\s.-]?(?P<body>[0-9A-Z][0-9A-Z .+*-]{6,16}[0-9A-Z])")
_COUNTRY_START = re.compile(r"\b[A-Z]{2}")
_EIN = re.compile(r"(?<![\d-])(?P<ein>\d{2}-\d{7})(?![\d-])")
_IBAN_START = re.compile(r"\b(?P<cc>[A-Z]{2})\d{2}(?= ?[A-Z0-9])")


def iban_length(country: str) -> int | None:
    """The IBAN length for a country from schwifty's registry; None for a code that has no IBAN
    ("OD3041…" is an order id, not an account)."""
    try:
        return int(get_iban_spec(country).iban_length)
    except (SchwiftyException, KeyError):
        return None


def iban_shaped(compact: str) -> bool:
    """Whether a compact string fits its country's IBAN structure (length and which positions are
    digits), whatever its check digits: a mistyped IBAN, never a VAT id."""
    try:
        spec = get_iban_spec(compact[:2])
    except (SchwiftyException, KeyError):
        return False
    return len(compact) == spec.iban_length and compact[2:4].isdigit() and bool(spec.regex.match(compact[4:]))


def vat_id_valid(vat_id: str) -> bool:
    """EU VAT id check digits via python-stdnum (EINs and GB/CH ids are format-only here)."""
    if vat_id[:2].lower() not in vat_eu.MEMBER_STATES:
        return True
    return bool(vat_eu.is_valid(vat_id))


CURRENCY_SYMBOLS: dict[str, str] = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₣": "CHF"}
CURRENCY_WORDS: dict[str, str] = {
    "zł": "PLN",
    "kč": "CZK",
    "r$": "BRL",
    "a$": "AUD",
    "c$": "CAD",
    "nz$": "NZD",
}
"""Symbols of more than one character; ``R$`` is a real, not a dollar. ``kr`` is left out: Swedish,
Danish, Norwegian and Icelandic crowns share it, and a guessed currency is worse than none."""
_CURRENCY_SYMBOL = re.compile("[" + re.escape("".join(CURRENCY_SYMBOLS)) + "]")
_CURRENCY_WORD = re.compile(r"(?<![A-Za-z])(zł|Kč|kč|NZ\$|R\$|A\$|C\$)(?![A-Za-z])")
CURRENCY_CODES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "CAD",
        "AUD",
        "NZD",
        "CNY",
        "INR",
        "SGD",
        "HKD",
        "ZAR",
        "MXN",
        "BRL",
        "TRY",
    ]
)
_CURRENCY_CODE = re.compile(r"(?<![A-Z])(" + "|".join(sorted(CURRENCY_CODES)) + r")(?![A-Z])")
_ANY_CURRENCY = re.compile("|".join(p.pattern for p in (_CURRENCY_CODE, _CURRENCY_WORD, _CURRENCY_SYMBOL)))
"""Matches somewhere exactly when one of the three does."""
_CURRENCY_SHAPE = re.compile(
    "[A-Z]{3}|["
    + re.escape(
        "".join(CURRENCY_SYMBOLS) + "".join(sorted(set("".join(CURRENCY_WORDS)) - set(ascii_letters)))
    )
    + "]"
)
"""A necessary condition for `_ANY_CURRENCY`, scanned several times faster: every code is three
capitals, every symbol is one of `CURRENCY_SYMBOLS`, every word holds a character that is not an
ASCII letter (``ł``, ``č``, ``$``)."""


def find_vat_ids(text: str) -> list[tuple[str, int, int]]:
    """VAT ids in a text, compacted (``DE 811 569 869`` → ``DE811569869``), with spans; never the
    start of a valid IBAN."""
    found: list[tuple[str, int, int]] = []
    upper = text.upper()
    if not _VAT_CANDIDATE.search(upper):
        return found  # one scan for the shape, before trying it at every word that starts with two capitals
    ibans: list[tuple[int, int]] | None = None
    for start in _COUNTRY_START.finditer(upper):
        match = _VAT_CANDIDATE.match(upper, start.start())
        if match is None:
            continue
        country = match.group("cc")
        pattern = _VAT_BODIES.get(country)
        if pattern is None:
            continue
        body = _BODY_SEPARATORS.sub("", match.group("body"))
        # the candidate may run into the next word; take the longest prefix that fits the format
        end = next((end for end in range(len(body), 5, -1) if pattern.fullmatch(body, 0, end)), 0)
        if not end:
            continue
        # the IBAN test last: most shapes ("RECHNUNGSNR…") already failed the cheap tests above
        if ibans is None:
            ibans = [(begin, stop) for _, _, begin, stop in find_ibans(text)]
        if any(begin <= match.start() < stop for begin, stop in ibans):
            continue  # "DE89 3704 0044 …" is an account number, not a German VAT id
        found.append((country + body[:end], match.start(), match.end()))
    return found


def find_eins(text: str) -> list[tuple[str, int, int]]:
    """US employer identification numbers (``NN-NNNNNNN``) with spans."""
    if "-" not in text:
        return []  # every EIN holds its hyphen; most lines hold none
    return [(m.group("ein"), m.start(), m.end()) for m in _EIN.finditer(text)]


def find_ibans(text: str) -> list[tuple[str, bool, int, int]]:
    """IBAN-shaped strings, compacted, each with whether its mod-97 checksum holds; a failing string
    that runs into a valid IBAN is two glued columns ("SE551554184401IBAN SE19 5008 …"), not an
    account."""
    upper = text.upper()
    found: list[tuple[str, bool, int, int]] = []
    for match in _IBAN_START.finditer(upper):
        wanted = iban_length(match.group("cc"))
        if wanted is None:
            continue
        chars: list[str] = []
        position = match.start()
        while position < len(upper) and len(chars) < wanted:
            char = upper[position]
            if char.isalnum():
                chars.append(char)
            elif not (char == " " and position + 1 < len(upper) and upper[position + 1].isalnum()):
                break
            position += 1
        compact = "".join(chars)
        if len(compact) == wanted:
            valid = iban_is_valid(compact)
            if valid or iban_shaped(compact):
                found.append((compact, valid, match.start(), position))
    spans = [(start, end) for _, ok, start, end in found if ok]
    return [item for item in found if item[1] or not any(s < item[3] and item[2] < e for s, e in spans)]


def find_currencies(text: str) -> list[tuple[str, int, int]]:
    """ISO 4217 codes and currency symbols in a text, as codes, with spans."""
    if not _CURRENCY_SHAPE.search(text) or not _ANY_CURRENCY.search(text):
        return []  # most phrases: one or two scans instead of three
    found = [(m.group(1), m.start(), m.end()) for m in _CURRENCY_CODE.finditer(text)]
    claimed: set[int] = set()
    for word in _CURRENCY_WORD.finditer(text):
        found.append((CURRENCY_WORDS[word.group(1).lower()], word.start(), word.end()))
        claimed.update(range(word.start(), word.end()))
    for symbol in _CURRENCY_SYMBOL.finditer(text):
        if symbol.start() not in claimed:
            found.append((CURRENCY_SYMBOLS[symbol.group()], symbol.start(), symbol.end()))
    return sorted(found, key=lambda item: item[1])
