"""Whose reference a purchase-order label names: the buyer's *order* or only the buyer's *reference*.

Invoicing software prints the buyer's order number under many labels. Some say it is an order
("PO number", "Ihre Bestellung", "Votre commande", "Uw ordernummer", "Su pedido", "Vs. ordine");
others only say the reference is the buyer's ("Your ref.", "Ihr Zeichen", "Votre référence",
"Uw kenmerk", "Su referencia", "Vs. rif.", "Customer reference", Xero's "Reference"). A DIN 5008
information block prints both (``Ihr Zeichen: EK-3`` over ``Ihre Bestellung: OC/602/26``), and
there the order wins; a buyer's reference alone is read, but below the auto-post threshold — it
may be the order number or a clerk's initials. The seller's own numbers ("Unser Zeichen",
"Our ref", "Auftragsbestätigung", "Lieferschein") are other labels (`our_reference`) and never
reach the purchase order. The role is decided by the words of the label, not by its position.
"""

from __future__ import annotations

import re
from typing import Any

from agents.ap.extract.dates import find_dates

ORDER_WORDS = re.compile(
    r"(?<![a-z])(?:p\.?\s*o(?![a-z])|p/o|purchase|order|requisition|bestell|best\.|auftrag|commande|bc(?![a-z])"
    r"|engagement|bestel|inkoop|pedido|compra|ordine|acquisto|encomenda|requisicao|zamow|ordre|bestall"
    r"|inkops|k[oø]bsordre|rekvisition)"
)
"""Words that make a reference label an order label (on folded text)."""


def reference_role(folded_label: str) -> str:
    """``po_number`` for a label naming the buyer's order, ``buyer_reference`` for one naming only
    the buyer's reference."""
    return "po_number" if ORDER_WORDS.search(folded_label) else "buyer_reference"


_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<prefix>[A-Z]{1,4}) )?(?P<core>[A-Za-z0-9][A-Za-z0-9\-/._]*\d[A-Za-z0-9\-/._]*)"
)
"""A reference holds a digit; a short upper-case series code before it is part of it ("FT 2024/117",
"RE 0815", "A 12345" — a common shape in Portugal, Spain and Germany)."""
_NOT_A_SERIES = frozenset({"NO", "NR", "N", "NUM", "REF", "ID", "VOM", "DU", "DEL", "DE", "VAN", "OF", "NB"})
"""Upper-case words before a reference that are labels or connectors, not a series code."""


_GLUED_WORD = re.compile(r"[A-Z]?[a-z]{4,}(?=\d)")
"""A word run into the number after it ("Bestellnummer des Kunden4518477852", a label overflowing
into its value's cell): the word is the label's, the number the value."""


def reference_parser(text: str) -> tuple[Any, int, int, bool] | None:
    for match in _REFERENCE.finditer(text):
        if find_dates(match.group("core")):
            continue
        prefix = match.group("prefix")
        start = match.start("prefix") if prefix and prefix not in _NOT_A_SERIES else match.start("core")
        glued = _GLUED_WORD.match(text, match.start("core"))
        if glued is not None and start == match.start("core"):
            start = glued.end()
        return text[start : match.end()].rstrip("."), start, match.end(), True
    return None
