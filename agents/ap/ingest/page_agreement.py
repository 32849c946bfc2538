"""Does the printed page say what the embedded e-invoice XML says?

A Factur-X / ZUGFeRD PDF carries the invoice twice: as XML for machines and as the page a clerk
reads. In many countries the human-readable page *is* the invoice, and real PDFs exist whose
attachment describes another invoice (a sample XML left in by the producer, a re-rendered page
with a stale attachment). Reading such a PDF from its XML at confidence 1.0 would post a
confidently wrong amount.

So the page is read too and the fields the matcher relies on are compared. Where the page states
a value with enough confidence and the XML contradicts it, the invoice keeps the XML's value but
that field is held below the auto-post threshold, with a warning naming both values. Where the
page agrees, does not state the field, or states it too uncertainly, nothing changes: the page
reading can only lower the XML's confidence, never replace its value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from agents.ap.invoice import ExtractedInvoice, Field

__all__ = [
    "HELD_CONFIDENCE",
    "PAGE_CONFIDENCE",
    "Disagreement",
    "disagreements",
    "hold_contradicted",
]

PAGE_CONFIDENCE = 0.8
"""The least confidence a page value needs to contradict the XML. The page extractor reports a
labelled value it found once and checked at 0.86-0.98; an unlabelled, stacked or arithmetically
inconsistent value sits below 0.8 and is too weak to hold an XML field on its own."""
HELD_CONFIDENCE = 0.5
"""The confidence of an XML field the page contradicts: either source may be the wrong one, and it
must stay below the matcher's auto-post threshold (0.9) so a clerk looks."""


@dataclass(frozen=True)
class Disagreement:
    """One field the XML and the page state differently."""

    field: str
    """The field as the XML invoice names it (`total`, `invoice_number`, `payable`, ...)."""
    xml_value: str
    page_value: str
    page: int | None
    """The page the printed value was read on."""

    def warning(self) -> str:
        where = f" (page {self.page})" if self.page is not None else ""
        return f"embedded XML says {self.field} {self.xml_value}, the page prints {self.page_value}{where}"


def _reference(value: Any) -> str:
    """A reference as compared: letters and digits only, case-folded (`RE-2019/507` = `re 2019 507`)."""
    return "".join(char for char in str(value).casefold() if char.isalnum())


def _amount(value: Any) -> Decimal:
    """Amounts by magnitude: both readers keep a credit note's amounts positive, and a sign a
    page prints is a matter of document type, not of the amount."""
    return abs(Decimal(value))


def _same_date(xml: Any, page: Any) -> bool:
    """Equal dates; or the page's date with day and month swapped, when both are 12 or less: the
    page printed the same digits and only the order convention (11/03 vs 03/11) was guessed."""
    if not isinstance(xml, date) or not isinstance(page, date):
        return bool(xml == page)
    if xml == page:
        return True
    return (
        page.day <= 12
        and page.month <= 12
        and (page.month, page.day) == (xml.day, xml.month)
        and (page.year == xml.year)
    )


def _same(normalise: Callable[[Any], Any]) -> Callable[[Any, Any], bool]:
    return lambda xml, page: bool(normalise(xml) == normalise(page))


Compare = Callable[[Any, Any], bool]
COMPARED: tuple[tuple[str, Compare], ...] = (
    ("invoice_number", _same(_reference)),
    ("invoice_date", _same_date),
    ("currency", _same(_reference)),
    ("total", _same(_amount)),
    ("vendor_tax_id", _same(_reference)),
    ("iban", _same(_reference)),
    ("po_number", _same(_reference)),
)
"""Header fields compared by the same name on both sides, each with how values are compared."""


def _printed_amount_due(page: ExtractedInvoice) -> Field[Decimal]:
    """The page's amount due when the page states one: the extractor falls back to the total
    itself when no amount due or prepayment is printed, and that is no second statement."""
    due = page.amount_due
    if due.value is not None and due.evidence is not None and due.evidence == page.total.evidence:
        return Field[Decimal].missing()
    return due


def _xml_amount_due(xml: ExtractedInvoice) -> tuple[str, Field[Decimal]]:
    """Which field carries the XML's amount due (BT-115): the XML readers fill `payable`."""
    if xml.amount_due.value is not None:
        return "amount_due", xml.amount_due
    return "payable", xml.payable


def _stated(field: Field[Any]) -> bool:
    return field.value is not None and not (isinstance(field.value, str) and not field.value.strip())


def _contradiction(name: str, xml: Field[Any], page: Field[Any], same: Compare) -> Disagreement | None:
    if not (_stated(xml) and _stated(page)) or page.confidence < PAGE_CONFIDENCE:
        return None
    if same(xml.value, page.value):
        return None
    return Disagreement(
        field=name,
        xml_value=str(xml.value),
        page_value=str(page.value),
        page=page.evidence.page if page.evidence is not None else None,
    )


def disagreements(xml: ExtractedInvoice, page: ExtractedInvoice) -> list[Disagreement]:
    """The compared fields the page states confidently and the XML contradicts."""
    found = [_contradiction(name, getattr(xml, name), getattr(page, name), same) for name, same in COMPARED]
    due_name, xml_due = _xml_amount_due(xml)
    found.append(_contradiction(due_name, xml_due, _printed_amount_due(page), _same(_amount)))
    return [disagreement for disagreement in found if disagreement is not None]


def hold_contradicted(xml: ExtractedInvoice, page: ExtractedInvoice) -> ExtractedInvoice:
    """The XML's invoice with every field the page contradicts held at `HELD_CONFIDENCE` (its value
    kept) and a warning per field; unchanged when the page agrees or says nothing confident."""
    found = disagreements(xml, page)
    if not found:
        return xml
    update: dict[str, Any] = {}
    for disagreement in found:
        field: Field[Any] = getattr(xml, disagreement.field)
        update[disagreement.field] = field.model_copy(
            update={"confidence": min(field.confidence, HELD_CONFIDENCE)}
        )
    update["warnings"] = (*xml.warnings, *(disagreement.warning() for disagreement in found))
    return xml.model_copy(update=update)
