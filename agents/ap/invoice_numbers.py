"""Invoice-number normalisation for duplicate detection.

Vendors and OCR spell the same number differently: ``INV-00123``, ``inv 123``, ``INV/0O123``.
Normalising strips separators and leading zeros, upper-cases, and folds the characters OCR
confuses (O/0, I/L/1, S/5, B/8) so both spellings compare equal.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

_OCR_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})


def normalise_invoice_number(number: str) -> str:
    """Per separated part: fold OCR look-alikes, drop leading zeros of digit runs; then join."""
    parts = []
    for token in re.split(r"[\s\-/_.#:]+", number.upper()):
        groups = re.findall(r"\d+|\D+", token.translate(_OCR_FOLD))
        parts.append("".join(group.lstrip("0") or "0" if group.isdigit() else group for group in groups))
    return "".join(parts)


def number_similarity(left: str, right: str) -> float:
    """0-100 similarity of two normalised invoice numbers."""
    return float(fuzz.ratio(normalise_invoice_number(left), normalise_invoice_number(right)))
