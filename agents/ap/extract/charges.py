"""Document-level charges and allowances printed in the totals block (shipping, freight, packaging,
handling, a discount): the term that makes net + tax ± charge = gross close when a charge is added
after the tax (US sales-tax invoices add shipping after the tax) or a discount is taken off the
gross. Such a line is read by its label at the start of the line and the amount that ends it; it
only ever serves as a term of that equation, never as a field of its own.
"""

from __future__ import annotations

import re
from decimal import Decimal

from agents.ap.extract.folded_lines import folded_phrases
from agents.ap.extract.header_fields import Parser
from agents.ap.extract.page_text import PageText
from agents.ap.extract.rate_lines import holds_no_document_amount

_CHARGE = re.compile(
    r"^\s*(?:shipping|freight|handling|delivery|postage|packaging|carriage|versand(?:kosten)?|fracht(?:kosten)?|"
    r"porto|verpackung|transportkosten|frais\s*(?:de\s*)?(?:port|livraison|transport|envoi)|"
    r"spese\s*(?:di\s*)?(?:trasporto|spedizione|incasso)|gastos\s*(?:de\s*)?(?:envio|transporte)|"
    r"verzend(?:kosten)?|bezorgkosten|rabatt|discount|remise|sconto|descuento|korting)\b"
)
MAX_CHARGES = 4


def charge_amounts(pages: list[PageText], parse: Parser) -> tuple[Decimal, ...]:
    """The amounts of the charge and allowance lines on the last page (as printed, unsigned)."""
    if not pages:
        return ()
    found: list[Decimal] = []
    for line in pages[-1].lines:
        if len(line.phrases) < 2 or holds_no_document_amount(line):
            continue
        if not _CHARGE.match(folded_phrases(line)[0]):
            continue
        parsed = parse(line.phrases[-1].text)
        if parsed is not None and parsed[0] != 0:
            found.append(abs(parsed[0]))
    return tuple(found[-MAX_CHARGES:])
