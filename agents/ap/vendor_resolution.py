"""Which vendor sent the invoice: tax id first (exact), then the name (fuzzy, rapidfuzz).

A tax id is a registration, a name is a spelling: when the invoice states a tax id the vendor
master does not hold, a look-alike name is *not* accepted (that is how fictitious and
impersonated vendors get paid). Two master records sharing a tax id (a known near-duplicate) are
told apart by the bank account on the invoice, then by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from agents.ap.facts import InvoiceFacts
from connectors.erp.models import Vendor
from connectors.erp.protocol import PayablesERP
from connectors.errors import NotFoundError
from connectors.readonly import read_only_erp

_LEGAL_FORMS = re.compile(
    r"\b(gmbh|co|kg|ohg|ag|se|sa|sas|sarl|srl|spa|bv|nv|ltd|limited|llc|inc|corp|plc|sl|the|und|and)\b"
)
MatchMethod = Literal["tax_id", "name", "none"]


def normalise_name(name: str) -> str:
    text = re.sub(r"[^\w\s]", " ", name.lower())
    return " ".join(_LEGAL_FORMS.sub(" ", text).split())


def normalise_tax_id(tax_id: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", tax_id.upper())


@dataclass(frozen=True)
class VendorMatch:
    vendor: Vendor | None
    method: MatchMethod
    score: float
    """100 for a tax-id match; the name similarity otherwise."""
    candidates: tuple[tuple[str, str, float], ...] = field(default=())
    """Best ``(vendor id, name, score)`` alternatives, for the case file."""
    problem: str = ""


class VendorResolver:
    """Resolves against the vendor master through `search_vendors`; searches are cached per run.

    The Protocol has no "list all vendors", so name candidates are fetched by substring search
    on the name's distinctive words and then ranked with rapidfuzz.
    """

    def __init__(self, erp: PayablesERP, *, min_name_score: float = 88.0) -> None:
        self.erp = read_only_erp(erp)
        self.min_name_score = min_name_score
        self._searches: dict[tuple[str, str], list[Vendor]] = {}

    def refresh(self) -> None:
        self._searches.clear()

    def _search(self, *, name: str | None = None, tax_id: str | None = None) -> list[Vendor]:
        key = ("name", name) if name is not None else ("tax_id", tax_id or "")
        if key not in self._searches:
            self._searches[key] = self.erp.search_vendors(name=name, tax_id=tax_id)
        return self._searches[key]

    def resolve(self, facts: InvoiceFacts) -> VendorMatch:
        candidates = self._name_candidates(facts.vendor_name)
        if facts.vendor_tax_id:
            wanted = normalise_tax_id(facts.vendor_tax_id)
            pool = {v.id: v for v in [*self._search(tax_id=facts.vendor_tax_id), *candidates]}
            same = [v for v in pool.values() if v.tax_id and normalise_tax_id(v.tax_id) == wanted]
            if same:
                return VendorMatch(self._current(self._pick(same, facts)), "tax_id", 100.0)
        ranked = self._rank(facts.vendor_name, candidates)
        if not ranked:
            return VendorMatch(None, "none", 0.0, problem="no vendor in the master matches name or tax id")
        best_id, best_name, best_score = ranked[0]
        vendor = next(v for v in candidates if v.id == best_id)
        if best_score < self.min_name_score:
            return VendorMatch(
                None, "none", best_score, ranked, f"best name match {best_name!r} scores {best_score:.0f}"
            )
        if facts.vendor_tax_id and vendor.tax_id:
            return VendorMatch(
                None,
                "none",
                best_score,
                ranked,
                f"name resembles {best_name!r} but tax id {facts.vendor_tax_id} is not {vendor.tax_id}",
            )
        return VendorMatch(self._current(vendor), "name", best_score, ranked)

    def _current(self, vendor: Vendor) -> Vendor:
        """The vendor as the master holds it now (blocked flag and bank details change)."""
        try:
            return self.erp.get_vendor(vendor.id)
        except NotFoundError:
            return vendor

    def _pick(self, same: list[Vendor], facts: InvoiceFacts) -> Vendor:
        if len(same) == 1:
            return same[0]
        if facts.iban:
            paid_there = [v for v in same if any(a.iban == facts.iban for a in v.bank_accounts)]
            if len(paid_there) == 1:
                return paid_there[0]
        name = normalise_name(facts.vendor_name or "")
        return max(same, key=lambda v: (fuzz.token_sort_ratio(name, normalise_name(v.name)), v.id))

    def _name_candidates(self, name: str | None) -> list[Vendor]:
        words = sorted(set(normalise_name(name or "").split()), key=len, reverse=True)
        found: dict[str, Vendor] = {}
        for word in [w for w in words if len(w) >= 3][:3]:
            for vendor in self._search(name=word):
                found[vendor.id] = vendor
        return list(found.values())

    @staticmethod
    def _rank(name: str | None, candidates: list[Vendor]) -> tuple[tuple[str, str, float], ...]:
        if not name or not candidates:
            return ()
        choices = {v.id: normalise_name(v.name) for v in candidates}
        found = process.extract(normalise_name(name), choices, scorer=fuzz.token_sort_ratio, limit=3)
        names = {v.id: v.name for v in candidates}
        return tuple((key, names[key], float(score)) for _, score, key in found)
