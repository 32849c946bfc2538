"""Amount parsing across the number conventions invoices are printed in.

``1,234.56`` (en), ``1.234,56`` (de/nl/es/it), ``1 234,56`` (fr, with a plain, no-break or narrow
no-break space), ``1'234.56`` (ch). A lone separator followed by exactly three digits is ambiguous
(``1.234``); the caller passes the document's decimal separator, inferred once per document from
the amounts that are unambiguous, to settle it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal

DecimalSeparator = Literal[".", ","]

_GROUP_CHARS = "'’\u00a0\u202f "
_GLUED_CURRENCY = r"(?:kr|Kr|KR|SEK|DKK|NOK|ISK|CHF|EUR|USD|GBP|PLN|CZK|HUF)(?![A-Za-z])"
AMOUNT_PATTERN = re.compile(
    r"(?:(?<![\w.,'’])|(?<=[FfKk][Rr]\.))"
    r"(?P<sign>[-−])?\(?"
    r"(?P<number>\d{1,3}(?:[.,'’\u00a0\u202f ]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?)"
    rf"\)?(?:[-−](?![\w]))?(?:(?![\w])|(?={_GLUED_CURRENCY}))"
)
"""A number as printed in an amount column: optional sign (leading, trailing as in ``1.234,56-``,
or accounting parentheses), grouping, up to four decimals. Never the tail of a longer number
(``1'234.50`` is not ``234.50``); a currency abbreviation may touch it (``Fr.1'234.50``,
``1.234,50kr``)."""

_MONTH = (
    r"jan(?:uary|uar|vier|uari)?|j[aä]nner|feb(?:ruary|ruar|ruari)?|f[eé]vrier|m[aä]r(?:ch|z|s)?|maart|"
    r"apr(?:il|ile)?|avril|may|mai|mei|jun[ei]?|juin|jul[iy]?|juillet|aug(?:ust|ustus)?|ao[uû]t|"
    r"sep(?:t(?:ember|embre)?)?|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|de[cz](?:ember|embre)?|d[eé]cembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
_DATE_LIKE = re.compile(
    rf"(?:\b\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s*(?:de\s+)?)?(?<![^\W\d_])(?:{_MONTH})(?![^\W\d_])\.?"
    r"(?:\s*\d{1,2}(?:st|nd|rd|th)?(?!\d))?(?:\s*,?\s*(?:de\s+|del\s+)?\d{4}(?!\d))?"
    r"|\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?![\d,])|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
"""A date, numeric or with a month name in one of the six languages ("August 3 , 2014", "7. Mai
2014", "02 Juillet 2015", "20-10-2015"): its day and year are never amounts."""

_DIGIT = re.compile(r"\d")
_NUMBER_CHARS = re.compile(r"[\d.,'’\u00a0\u202f ]+")
"""The characters a printed number is made of (digits, separators, grouping spaces)."""
_UNAMBIGUOUS_COMMA = re.compile(r"\d,\d{2}(?!\d)")
_UNAMBIGUOUS_DOT = re.compile(r"\d\.\d{2}(?!\d)")


def infer_decimal_separator(texts: Iterable[str]) -> DecimalSeparator | None:
    """The decimal separator most amounts in the document use (``x,yy`` vs ``x.yy``), if any."""
    commas = dots = 0
    for text in texts:  # a scan only where its separator is printed (a third of lines hold neither)
        if "," in text:
            commas += len(_UNAMBIGUOUS_COMMA.findall(text))
        if "." in text:
            dots += len(_UNAMBIGUOUS_DOT.findall(text))
    if commas == dots:
        return None
    return "," if commas > dots else "."


def parse_number(text: str, decimal_separator: DecimalSeparator | None = None) -> Decimal | None:
    """Parse one printed number (no currency); None when it is not a number.

    A trailing minus, a leading minus and accounting parentheses all make the number negative.
    """
    cleaned = text.strip()
    negative = False
    if cleaned.startswith(("-", "−")) or cleaned.endswith(("-", "−")):
        negative = True
        cleaned = cleaned.strip("-−").strip()
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative = True
        cleaned = cleaned[1:-1].strip()
    if not cleaned or not _NUMBER_CHARS.fullmatch(cleaned) or not cleaned[0].isdigit():
        return None
    for char in _GROUP_CHARS:
        if char in cleaned:
            cleaned = cleaned.replace(char, "")
    decimal_sep = _decimal_separator_of(cleaned, decimal_separator)
    if decimal_sep is None:
        return None
    group_sep = "," if decimal_sep == "." else "."
    integer, _, fraction = cleaned.rpartition(decimal_sep) if decimal_sep in cleaned else (cleaned, "", "")
    if fraction and group_sep in fraction:
        return None
    groups = integer.split(group_sep)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    try:
        value = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None
    return -value if negative else value


def _decimal_separator_of(number: str, hint: DecimalSeparator | None) -> DecimalSeparator | None:
    """Which of ``.`` and ``,`` is the decimal separator of a number stripped of other grouping."""
    has_dot, has_comma = "." in number, "," in number
    if has_dot and has_comma:
        return "." if number.rfind(".") > number.rfind(",") else ","
    if not has_dot and not has_comma:
        return hint or "."
    sep: DecimalSeparator = "." if has_dot else ","
    if number.count(sep) > 1:
        return "," if sep == "." else "."
    fraction = number.rsplit(sep, 1)[1]
    if len(fraction) != 3:
        return sep
    return hint or sep


def find_amounts(text: str, decimal_separator: DecimalSeparator | None) -> list[tuple[Decimal, int, int]]:
    """Every number in a text with its character span, parsed with the document's separator."""
    found: list[tuple[Decimal, int, int]] = []
    if not _DIGIT.search(text):
        return found  # no number at all: spares the date scan, the costliest part
    text = without_dates(text)
    for match in AMOUNT_PATTERN.finditer(text):
        printed, start = match.group(0), match.start()
        value = parse_number(printed, decimal_separator)
        if value is None and printed.startswith("(") and not printed.endswith(")"):
            # "(35,13 €)": the bracket closes after the currency, the number inside is plain
            printed, start = printed[1:], start + 1
            value = parse_number(printed, decimal_separator)
        if value is not None:
            found.append((value, start, match.end()))
    return found


def without_dates(text: str) -> str:
    """The text with every date blanked out (offsets kept)."""
    if not _LETTER.search(text) and sum(map(text.count, "./-")) < 2:
        return text  # "41,18 €": no month name (letters), no numeric date (two of . / -), no scan
    return _DATE_LIKE.sub(_blank_date, text)


_LETTER = re.compile(r"[^\W\d_]")


def _blank_date(match: re.Match[str]) -> str:
    """A date's span as spaces (offsets kept); a month name alone ("Mai", "Dec.") stays as printed."""
    printed = match.group(0)
    return " " * len(printed) if any(char.isdigit() for char in printed) else printed


_IDENTIFIER_LIKE = re.compile(r"0\d+|\d{7,}")


def identifier_like(printed: str) -> bool:
    """Digits printed like part of an id, not an amount: a leading zero ("03" of a tax number
    "044 241 601 03") or seven or more digits without any separator (a TIN, an account number)."""
    return _IDENTIFIER_LIKE.fullmatch(printed.strip().lstrip("-−(").rstrip(")-−")) is not None
