"""Units of measure: invoices and POs spell the same unit differently (PC, EA, H87, C62).

Quantities are compared in the PO's unit. Codes are folded to one canonical spelling (UN/ECE
Recommendation 20 codes included), and a few fixed multiples convert (a dozen is twelve each).
A unit that cannot be converted is a quantity variance, never a guess.
"""

from __future__ import annotations

from decimal import Decimal

_SYNONYMS: dict[str, str] = {
    "EA": "EA", "EACH": "EA", "PC": "EA", "PCS": "EA", "PCE": "EA", "ST": "EA", "STK": "EA",
    "H87": "EA", "C62": "EA", "UNIT": "EA", "UNITS": "EA", "PIECE": "EA", "PIECES": "EA",
    "H": "H", "HR": "H", "HRS": "H", "HOUR": "H", "HOURS": "H", "HUR": "H", "STD": "H",
    "KG": "KG", "KGM": "KG", "L": "L", "LTR": "L", "LITRE": "L", "LITER": "L",
    "PAK": "PAK", "PK": "PAK", "PACK": "PAK", "PA": "PAK", "PACKAGE": "PAK",
    "BOX": "BOX", "BX": "BOX", "CT": "BOX", "SET": "SET", "BAG": "BAG", "BG": "BAG",
    "MON": "MON", "MONTH": "MON", "MO": "MON", "DAY": "DAY", "DAYS": "DAY", "D": "DAY",
    "DZN": "DZN", "DOZEN": "DZN", "G": "G", "GRM": "G", "T": "T", "TNE": "T",
}  # fmt: skip

_FACTORS: dict[tuple[str, str], Decimal] = {
    ("DZN", "EA"): Decimal(12),
    ("G", "KG"): Decimal("0.001"),
    ("T", "KG"): Decimal(1000),
}
"""``(from, to) -> factor``: one `from` unit is `factor` `to` units."""


def canonical_unit(unit: str | None) -> str | None:
    """The canonical spelling, or the upper-cased input when the unit is not known."""
    if unit is None or not unit.strip():
        return None
    code = unit.strip().upper().rstrip(".")
    return _SYNONYMS.get(code, code)


def conversion_factor(from_unit: str | None, to_unit: str) -> Decimal | None:
    """How many `to_unit` one `from_unit` is; a missing invoice unit is taken as the PO's unit."""
    source = canonical_unit(from_unit)
    target = canonical_unit(to_unit)
    if source is None or source == target:
        return Decimal(1)
    if target is None:
        return None
    if (source, target) in _FACTORS:
        return _FACTORS[(source, target)]
    if (target, source) in _FACTORS:
        return 1 / _FACTORS[(target, source)]
    return None
