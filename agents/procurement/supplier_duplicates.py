"""Duplicate vendors: same tax id, same bank account, or fuzzy-equal names and addresses.

Tiered as practised (domain notes §4.4): an identical tax id is the strongest signal; the same
bank account under different names is both a duplicate signal and a fraud signal; names are
compared after normalisation (case, accents, punctuation, legal-form suffixes, "the") with
rapidfuzz, and must be backed by a similar address -- or, when the source has no addresses, the
same country -- so two branches of a chain in different cities are not merged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from agents.procurement.supplier_ids import compact
from agents.procurement.supplier_master import SupplierRecord

NAME_CUTOFF = 90.0
ADDRESS_CUTOFF = 80.0
LEGAL_FORMS = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "sa",
        "sas",
        "sarl",
        "sasu",
        "srl",
        "spa",
        "sl",
        "slu",
        "bv",
        "nv",
        "se",
        "oy",
        "ab",
        "as",
        "aps",
        "kft",
        "sro",
        "doo",
    ]
)
"""Legal-form words dropped before comparing names ("ACME Corp." = "Acme Corporation Inc.")."""
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """Lower case ASCII words without legal forms, "the" or "&"; German umlauts folded."""
    text = name.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [
        w for w in _NON_WORD.split(text.replace("& co", " ")) if w and w != "the" and w not in LEGAL_FORMS
    ]
    return " ".join(words)


def normalise_address(record: SupplierRecord) -> str:
    text = f"{record.street} {record.postal_code} {record.city}".casefold()
    text = text.replace("straße", "str").replace("strasse", "str").replace("street", "st")
    return " ".join(w for w in _NON_WORD.split(unicodedata.normalize("NFKD", text)) if w)


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that look like the same supplier, and every rule that says so."""

    first: str
    second: str
    rules: tuple[str, ...]
    """``same_tax_id``, ``same_bank_account``, ``similar_name_and_address``."""
    name_score: float


def find_duplicates(records: list[SupplierRecord]) -> list[DuplicatePair]:
    """All duplicate pairs, each once (first id < second id), sorted."""
    rules: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rule, key in (("same_tax_id", _tax_key), ("same_bank_account", _bank_key)):
        groups: dict[str, list[str]] = defaultdict(list)
        for record in records:
            value = key(record)
            if value:
                groups[value].append(record.vendor_id)
        for ids in groups.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    rules[_pair(a, b)].add(rule)
    names = [normalise_name(r.name) for r in records]
    glued = [name.replace(" ", "") for name in names]
    scores = np.maximum(
        process.cdist(names, names, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_CUTOFF, workers=-1),
        process.cdist(glued, glued, scorer=fuzz.ratio, score_cutoff=NAME_CUTOFF, workers=-1),
    )
    name_score: dict[tuple[str, str], float] = {}
    for i, j in zip(*np.nonzero(scores), strict=True):
        if i >= j or not names[i]:
            continue
        a, b = records[i], records[j]
        if _same_place(a, b):
            pair = _pair(a.vendor_id, b.vendor_id)
            rules[pair].add("similar_name_and_address")
            name_score[pair] = float(scores[i, j])
    by_id = {r.vendor_id: r for r in records}
    found = []
    for (a, b), matched in sorted(rules.items()):
        score = name_score.get((a, b)) or name_similarity(by_id[a].name, by_id[b].name)
        found.append(DuplicatePair(a, b, tuple(sorted(matched)), round(float(score), 1)))
    return found


def name_similarity(a: str, b: str) -> float:
    """0-100: the better of word-order-free and space-free comparison of normalised names."""
    left, right = normalise_name(a), normalise_name(b)
    return max(fuzz.token_sort_ratio(left, right), fuzz.ratio(left.replace(" ", ""), right.replace(" ", "")))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _tax_key(record: SupplierRecord) -> str:
    value = compact(record.tax_id)
    return value[2:] if value[:2].isalpha() and value[:2] == _country_prefix(record.country) else value


def _country_prefix(country: str) -> str:
    return "EL" if country.upper() == "GR" else country.upper()


def _bank_key(record: SupplierRecord) -> str:
    return compact(record.iban) or compact(record.account_number)


def _same_place(a: SupplierRecord, b: SupplierRecord) -> bool:
    if a.has_address and b.has_address and (a.street or a.city) and (b.street or b.city):
        return fuzz.token_set_ratio(normalise_address(a), normalise_address(b)) >= ADDRESS_CUTOFF
    return bool(a.country) and a.country.upper() == b.country.upper()


def duplicate_groups(pairs: list[DuplicatePair]) -> list[list[str]]:
    """Connected groups of vendor ids (union-find over the pairs), each sorted, groups sorted."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[root(pair.first)] = root(pair.second)
    groups: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        groups[root(node)].append(node)
    return sorted(sorted(g) for g in groups.values())
