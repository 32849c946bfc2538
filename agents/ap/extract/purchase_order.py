"""The buyer's purchase-order number, chosen by the role of the label that names it.

Order labels ("PO number", "Ihre Bestellung", "Votre commande", "Vs. ordine" …) win over labels
naming only the buyer's reference ("Your ref.", "Ihr Zeichen", "Uw kenmerk", "Reference" …), which
are read only when no order label is printed and then stay below the auto-post threshold
(`reference_roles`) unless the value itself says it is an order ("PO-2025-112", "ORD298003").
Without an order label, an order named in a sentence ("according to your order 4711", "Rechnung gemäß
Bestellung Nr. 4711 vom …", "come da Vs. ordine n. 4711") wins over a buyer's reference that does not
say it is an order; else one value repeated on every row of a line table's order column is read. Both
stay at 0.8 however often they repeat. A value equal to the invoice number
is the payment reference printed under a bank block, never the order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Candidate, decide
from agents.ap.extract.line_items import header_columns
from agents.ap.extract.page_text import PageText
from agents.ap.extract.reference_roles import reference_parser
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label

REFERENCE_CAP = 0.85
"""A buyer's reference that no order label confirms: it may be the order, or a clerk's initials."""
SENTENCE = 0.8
"""An order number read from a sentence rather than a label."""
COLUMN = 0.8
"""One order number repeated in every row of a line table's "PO" / "Your ref." column."""
ALIGN = 3.0
_SENTENCE_ORDER = re.compile(
    r"(?<![a-z])(?:(?:your|ihrer?|ihrem|votre|vos|uw|su|sus|vs\.?|vostro|vostra|customer'?s?|client'?s?)\s+"
    r"|(?:gem(?:a|ae)(?:ss|ß)|laut|according\s+to|as\s+per|selon|suivant|conformement\s+a|volgens|segun|conforme\s+a"
    r"|come\s+da|secondo|in\s+base\s+al(?:la)?)\s+(?:(?:your|the|ihrer?|ihrem|der|dem|votre|la|le|uw|de|su|el"
    r"|vs\.?|vostro|vostra|il)\s+)?)"
    r"(?:purchase\s+order|order|bestellung|auftrag(?:es)?|bon\s+de\s+commande|commande|bestelling|order"
    r"|orden\s+de\s+compra|pedido|ordine(?:\s+d'acquisto)?)"
    r"(?:\s*(?:no|nr|n[°o]|number|nummer|numero|num|n)(?![a-z0-9])\.?)?\s*[:#.]?\s*"
)
"""A buyer's order named inside a sentence, up to where its number starts (folded text)."""


ORDER_PREFIX = re.compile(r"(?:P\.?O|ORD(?:ER)?|BST|BEST|BDC|BC|CMD|PED|ODA|ODC)(?![A-Z])", re.IGNORECASE)
"""A value that says it is an order ("PO-2025-112", "ORD298003", "BST-2025-9964"): a buyer's
reference holding one is the order, whatever its label."""


def _key(value: object) -> str:
    return "".join(str(value).split()).upper()


def choose_purchase_order(
    labelled: dict[str, list[Candidate]], pages: list[PageText], invoice_number: object | None
) -> tuple[Candidate | None, bool]:
    """The purchase order and whether different values competed for it."""
    invoice = _key(invoice_number) if invoice_number is not None else None

    def usable(found: list[Candidate]) -> list[Candidate]:
        return [c for c in found if _key(c.value) != invoice]

    orders = usable(labelled.get("po_number", []))
    if orders:
        return decide(orders)
    references = usable(labelled.get("buyer_reference", []))
    named = usable(sentence_orders(pages))
    if named and not any(ORDER_PREFIX.match(str(c.value)) for c in references):
        return _capped(decide(named), SENTENCE)  # a sentence naming the order beats a bare "Your ref."
    if references:
        best, conflict = decide(references)
        if best is not None and not ORDER_PREFIX.match(str(best.value)):
            best = replace(best, confidence=min(best.confidence, REFERENCE_CAP))
        return best, conflict
    return _capped(decide(usable(column_orders(pages))), COLUMN)


def _capped(decided: tuple[Candidate | None, bool], cap: float) -> tuple[Candidate | None, bool]:
    best, conflict = decided
    return (replace(best, confidence=min(best.confidence, cap)) if best else None), conflict


def sentence_orders(pages: list[PageText]) -> list[Candidate]:
    """Order numbers named in sentences ("as per your order no. 4711", "Ihrer Bestellung 4711")."""
    found: list[Candidate] = []
    for page in pages:
        for line in page.lines:
            for phrase, folded in zip(line.phrases, folded_phrases(line), strict=True):
                for match in _SENTENCE_ORDER.finditer(folded):
                    rest = phrase.text[match.end() :]
                    parsed = reference_parser(rest)
                    if parsed is None or rest[: parsed[1]].strip(" :#.-"):
                        continue
                    value, start, end, _ = parsed
                    start, end = start + match.end(), end + match.end()
                    found.append(
                        Candidate(
                            value, SENTENCE, page.number, phrase.bbox(start, end), phrase.text[start:end]
                        )
                    )
    return found


def column_orders(pages: list[PageText]) -> list[Candidate]:
    """A line table's order column ("Your ref.", "PO no.", "Bestellung") holding one value on every
    row is the document's order. Rows naming different orders name no single one."""
    found: list[Candidate] = []
    for page in pages:
        for index, line in enumerate(page.lines):
            if header_columns(line) is None:
                continue
            for position, phrase in enumerate(line.phrases):
                matched = match_label(fold(phrase.text), HEADER_PATTERNS)
                if (
                    matched is None
                    or matched[0] != "po_number"
                    or matched[1] < len(phrase.text.rstrip(" :."))
                ):
                    continue
                end = line.phrases[position + 1].x0 if position + 1 < len(line.phrases) else page.width
                cells = _column_cells(page, index, phrase.x0, end)
                if cells and len({c.value for c in cells}) == 1:
                    found.append(cells[0])
    return found


def _column_cells(page: PageText, header: int, start: float, end: float) -> list[Candidate]:
    cells: list[Candidate] = []
    last = page.lines[header]
    for row in page.lines[header + 1 :]:
        if row.top - last.bottom > 3 * max(last.bottom - last.top, 1.0):
            break
        last = row
        words = [
            w for w in row.words if w.x1 > start + ALIGN and w.x0 < end - ALIGN and w.x0 >= start - ALIGN
        ]
        if not words:
            continue
        text = " ".join(w.text for w in words)
        parsed = reference_parser(text)
        if parsed is None or text[: parsed[1]].strip():
            break  # the column has ended (a totals line, a note)
        box = (min(w.x0 for w in words), row.top, max(w.x1 for w in words), row.bottom)
        cells.append(Candidate(parsed[0], COLUMN, page.number, box, text[parsed[1] : parsed[2]]))
    return cells
