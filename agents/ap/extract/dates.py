"""Date parsing for invoice dates in the formats and languages invoices are printed in.

Numeric day-first dates (``24.11.2026``, ``24/11/2026``, ``24-11-2026``) are the European default;
``11/24/2026`` is read month-first only when the day-first reading is impossible, or when the caller
says the document is month-first (a US issuer: an EIN, a dated that only reads MM/DD, or a state and ZIP
code in the header with dollar amounts).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from babel.dates import get_day_names, get_month_names

LOCALES = ("en", "de", "fr", "nl", "es", "it", "pt", "de_AT", "pl", "sv", "da")
"""Month names come from CLDR (via Babel) for these locales, wide and abbreviated, with and without
accents, so ``7 de marzo de 2025``, ``7 marzo 2025``, ``7 mrt. 2025`` and ``7. Jänner 2025`` all read."""


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    for variant in {
                        name.lower(),
                        name.lower().rstrip("."),
                        _unaccented(name.lower()).rstrip("."),
                    }:
                        if len(variant) >= 3:
                            names.setdefault(variant, number)
    names.update({"sept": 9, "mrz": 3, "maerz": 3, "juil": 7})
    return names


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


MONTHS: dict[str, int] = _month_names()
WEEKDAYS: frozenset[str] = frozenset(
    _unaccented(name.lower()).rstrip(".")
    for locale in LOCALES
    for width in ("wide", "abbreviated")
    for name in get_day_names(width, "format", locale).values()
)
"""Day names (CLDR), unaccented: "Saturday, May 2, 2026" printed by itself is a date, not a name."""
_MONTH_ALTERNATION = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
DATE_PATTERN = re.compile(
    r"(?:(?<![\d./-])(?P<iso>(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2}))"
    r"|(?<![\d./-])(?P<num>(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}))(?![\d])"
    rf"|(?<!\d)(?<!\d[./-])(?P<named>(?P<nd>\d{{1,2}})\.?(?:º|er|st|nd|rd|th)?(?:\s*|-)(?:de\s+)?(?P<nm>{_MONTH_ALTERNATION})\.?(?:,?\s+|-)(?:de\s+|del\s+)?(?P<ny>\d{{4}}))"
    rf"|(?<![\d./-])(?P<us>(?P<um>{_MONTH_ALTERNATION})\.?\s+(?P<ud>\d{{1,2}})(?:st|nd|rd|th)?\s?,?\s+(?P<uy>\d{{4}})))",
    re.IGNORECASE,
)
"""ISO and year-first ``2026/11/24``, numeric day-first/month-first, ``24 Nov 2026``/``24. November
2026``/``24-Nov-2026``/``24th November 2026`` and ``Nov 24, 2026``/``November 24th, 2026``/``August 3 , 2014``. A date
never starts or ends inside a longer run of digits (``2025/06/23`` is not 25/06/23); a day with a month
name may follow an abbreviation's dot (``30 gg d.f.18 giugno 2026``, a cell run into its neighbour)."""


def find_dates(text: str, month_first: bool = False) -> list[tuple[date, int, int]]:
    """Every valid calendar date in a text with its character span."""
    found: list[tuple[date, int, int]] = []
    if not _DIGIT.search(text):
        return found  # every date form has a day or a year in digits
    for match in DATE_PATTERN.finditer(text):
        parsed = _to_date(match, month_first)
        if parsed is not None:
            found.append((parsed, match.start(), match.end()))
    return found


_DIGIT = re.compile(r"\d")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


def numeric_dates_month_first(texts: list[str]) -> bool:
    """Whether the document's slashed dates are month-first: some date reads only as MM/DD/YYYY
    (``11/17/2017``) and none only as DD/MM/YYYY (``17/11/2017``). One document, one convention."""
    month_first = day_first = 0
    for text in texts:
        if "/" not in text:
            continue  # no slashed date here (most lines): spares the scan
        for match in _SLASHED.finditer(text):
            first, second = int(match.group(1)), int(match.group(2))
            month_first += first <= 12 < second
            day_first += second <= 12 < first
    return month_first > 0 and day_first == 0


_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR"
    "|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_US_ADDRESS = re.compile(rf",\s*(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?(?!\d)")
_DOLLAR = re.compile(r"\$\s?\d")


def us_issuer(texts: list[str]) -> bool:
    """Whether the issuer may write American dates: an address in the header ends in a state and ZIP
    code ("Omaha, NE 68102") and the amounts are in dollars. (The caller also requires that no
    European VAT id is printed: a European seller billing an American buyer writes European dates.)"""
    return any(_US_ADDRESS.search(text) for text in texts[:30]) and any(
        _DOLLAR.search(text) for text in texts
    )


def parse_date(text: str, month_first: bool = False) -> date | None:
    """The first date in a text, or None."""
    found = find_dates(text, month_first)
    return found[0][0] if found else None


def _to_date(match: re.Match[str], month_first: bool) -> date | None:
    groups = match.groupdict()
    if groups["iso"]:
        return _safe(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["num"]:
        first, second, year = int(groups["a"]), int(groups["b"]), int(groups["y"])
        if year < 100:
            year += 2000
        if month_first and first <= 12:
            return _safe(year, first, second) or _safe(year, second, first)
        return _safe(year, second, first) or _safe(year, first, second)
    if groups["named"]:
        return _safe(int(groups["ny"]), MONTHS[groups["nm"].lower()], int(groups["nd"]))
    return _safe(int(groups["uy"]), MONTHS[groups["um"].lower()], int(groups["ud"]))


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
