"""A bare "Order #" beside a purchase-order label is the shop's order, not the buyer's purchase order.

Marketplace and web-shop invoices print an order block: "Order date: 27 October 2026", "Order #:
302-4175935-2636003" and, when the buyer gave one, "Purchase order #: 554632". The bare order number
is the number of the order placed on the shop (the seller's or the platform's); the purchase order
is the one a label names as the buyer's ("Purchase order", "PO", "Your order", "Bestellnummer des
Kunden", "Votre commande", "Su pedido", "Vs. ordine"). So:

- when a label names the buyer's purchase order, a bare order label's value is dropped;
- when only a bare order label is printed beside an order date (the shop's order block), its value
  is kept but below the auto-post threshold: it may be the buyer's order or only the shop's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.ap.extract.header_fields import Candidate, LabelHit
from agents.ap.extract.vocabulary import fold

BARE_ORDER = re.compile(
    r"(?:(?:web|online|shop)\s*)?order\s*(?:#|no\.?|nr\.?|n[°o]\.?|number|nummer|numero|id)?\s*:?\s*$"
)
"""A label that names an order without saying whose (on the folded label text)."""
ORDER_DATE = re.compile(
    r"(?<![a-z])(?:order\s*date|date\s*(?:of\s*)?order|ordered\s*on|bestelldatum|auftragsdatum|date\s*de\s*(?:la\s*)?commande"
    r"|fecha\s*(?:del?\s*)?pedido|data\s*(?:dell'\s*)?ordine|besteldatum|orderdatum)(?![a-z])"
)
SHOP_ORDER_CAP = 0.85


def _label(hit: LabelHit) -> str:
    return fold(hit.phrase.text)[hit.label_start : hit.label_end]


def _on_line(candidate: Candidate, hit: LabelHit) -> bool:
    middle = (candidate.bbox[1] + candidate.bbox[3]) / 2
    phrase = hit.phrase
    return (
        candidate.page == phrase.page
        and phrase.top - 1 <= middle <= phrase.bottom + 1
        and candidate.bbox[0] >= phrase.x0
    )


def weigh_shop_orders(candidates: list[Candidate], hits: list[LabelHit]) -> list[Candidate]:
    """The purchase-order candidates with a shop's bare order number dropped or capped (see above)."""
    orders = [hit for hit in hits if hit.field == "po_number"]
    bare = [hit for hit in orders if BARE_ORDER.fullmatch(_label(hit).strip())]
    if not bare:
        return candidates
    named = [hit for hit in orders if hit not in bare]

    def from_bare(candidate: Candidate) -> bool:
        return any(_on_line(candidate, hit) for hit in bare) and not any(
            _on_line(candidate, hit) for hit in named
        )

    if any(not from_bare(c) for c in candidates) and named:
        return [c for c in candidates if not from_bare(c)]
    if any(ORDER_DATE.search(fold(hit.phrase.text)) for hit in hits):
        return [
            replace(c, confidence=min(c.confidence, SHOP_ORDER_CAP)) if from_bare(c) else c
            for c in candidates
        ]
    return candidates
