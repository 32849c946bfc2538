"""Generated spend history over the real, full UNSPSC taxonomy (support module, not a test).

The taxonomy is real (O*NET's UNSPSC release); the history lines are GENERATED here from its
commodity titles with the rewording real purchase-order lines show: brand words and model
numbers, quantities and pack sizes, abbreviations, dropped words, singular/plural, shuffled word
order, typos and shouting capitals; and, as in every real history, the company's own names for
things: each commodity gets an in-house product-line name that about half of its lines use with
only a word or two of the title. Held-out lines come from the same generator, so accuracy on
them measures "lines like this company's history", not wording nobody in the company used.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from agents.procurement.taxonomy import Taxonomy, load_taxonomy


def shared_data() -> Path:
    root = os.environ.get("OPSPACK_SHARED_DATA")
    return Path(root) if root else Path(__file__).resolve().parents[4] / "shared" / "data"


UNSPSC = shared_data() / "unspsc" / "unspsc_reference_onet_29_3.tsv"
SKIP_REASON = "the UNSPSC taxonomy is not present (set OPSPACK_SHARED_DATA to the shared data folder)"

_BRANDS = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
)
_ABBREVIATIONS = {
    "assembly": "assy",
    "equipment": "equip",
    "and": "&",
    "accessories": "accs",
    "supplies": "sup",
    "kit": "kt",
    "package": "pkg",
    "replacement": "repl",
    "service": "svc",
    "services": "svcs",
    "maintenance": "maint",
    "system": "sys",
    "systems": "sys",
    "industrial": "ind",
    "electric": "elec",
}
_UNITS = ("pcs", "ea", "box of 12", "pk/10", "set", "1 lot", "case", "roll", "kg", "qty 5")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def reword(title: str, rng: random.Random) -> str:
    words = title.split()
    if len(words) > 2 and rng.random() < 0.4:
        words.pop(rng.randrange(len(words)))
    words = [_ABBREVIATIONS.get(w.lower(), w) if rng.random() < 0.5 else w for w in words]
    words = [_typo(w, rng) if rng.random() < 0.08 else w for w in words]
    if rng.random() < 0.3:
        words = [w[:-1] if w.endswith("s") and len(w) > 4 else w + "s" for w in words]
    if rng.random() < 0.25:
        rng.shuffle(words)
    parts = [" ".join(words)]
    if rng.random() < 0.5:
        parts.insert(0, rng.choice(_BRANDS))
    if rng.random() < 0.5:
        parts.append(f"{rng.choice('ABCDEFGHKLMX')}{rng.choice('XRZ')}-{rng.randrange(100, 9999)}")
    if rng.random() < 0.4:
        parts.append(rng.choice(_UNITS))
    line = " ".join(parts)
    return line.upper() if rng.random() < 0.15 else line.lower() if rng.random() < 0.3 else line


_SYLLABLES = ("ka", "lo", "mi", "tra", "ven", "dor", "pex", "sil", "qua", "ron", "zet", "bri", "nox", "tal")


def _house_name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(4)).capitalize()


def generated_history(taxonomy: Taxonomy, per_commodity: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """(description, vendor, commodity code) lines, `per_commodity` rewordings of each commodity."""
    rng = random.Random(seed)
    lines = []
    commodities = sorted((c for c in taxonomy.categories.values() if c.depth == 3), key=lambda c: c.code)
    for category in commodities:
        house = _house_name(rng)
        for _ in range(per_commodity):  # distributors: the vendor says nothing about the category
            text = reword(category.title, rng)
            if rng.random() < 0.5:
                kept = rng.sample(text.split(), k=min(2, len(text.split())))
                text = " ".join([house, *kept[:1]] if rng.random() < 0.5 else [house, *kept])
            lines.append((text, f"{rng.choice(_BRANDS)} Distribution", category.code))
    rng.shuffle(lines)
    return lines


def real_taxonomy() -> Taxonomy:
    return load_taxonomy(UNSPSC)
