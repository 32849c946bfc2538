"""The document type carries a confidence from its evidence, and a type read unsure holds the
invoice: paying a credit note or crediting an invoice on a guess moves money the wrong way."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from test_controls_duplicates_vendors import doc, erp

from agents.ap.extract.document_kind import CONTRADICTED, SURE, TITLE_ONLY, document_kind
from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_text import Char, PageText, group_chars
from agents.ap.ingest.erp_inbox import read_json
from agents.ap.matcher import ThreeWayMatcher
from agents.ap.register import InvoiceRegister


def _page(*lines: str) -> PageText:
    """Lines of 10 pt text, one per 20 pt, each character 6 pt wide."""
    chars: list[Char] = []
    for row, text in enumerate(lines):
        top = 40.0 + 20 * row
        chars += [(ch, 40.0 + 6 * i, top, 46.0 + 6 * i, top + 10) for i, ch in enumerate(text)]
    return group_chars(chars, 1, 595.0, 842.0)


def _total(printed: str, confidence: float = 0.97) -> Candidate:
    return Candidate(Decimal("8.79"), confidence, 1, (400.0, 400.0, 440.0, 410.0), printed)


@pytest.mark.parametrize(
    ("title", "printed", "kind", "confidence", "warned"),
    [
        ("Gutschrift Nr. 12", "8,79", "credit_note", SURE, False),
        ("Gutschrift Nr. 12", None, "credit_note", SURE, False),
        ("Rechnung Nr. 12", "8,79", "invoice", SURE, False),
        ("Rechnung Nr. 12", None, "invoice", TITLE_ONLY, False),
        ("Rechnung Nr. 12", "-8,79", "invoice", CONTRADICTED, True),
        ("Rechnungskorrektur Nr. 12", "-8,79", "credit_note", SURE, False),
        ("Rechnungskorrektur Nr. 12", "8,79", "invoice", SURE, False),
        ("Rechnungskorrektur Nr. 12", None, "credit_note", CONTRADICTED, True),
    ],
)
def test_the_type_is_as_sure_as_its_title_and_its_sign(
    title: str, printed: str | None, kind: str, confidence: float, warned: bool
) -> None:
    total = _total(printed) if printed is not None else None
    found, sure, warning = document_kind([_page(title, "Kontorbedarf Hessler GmbH")], total)
    assert (found, sure, warning is not None) == (kind, confidence, warned)


def test_a_correction_decided_by_an_unsure_total_is_no_surer_than_it() -> None:
    _, sure, _ = document_kind([_page("Rechnungskorrektur Nr. 12")], _total("-8,79", confidence=0.6))
    assert sure == 0.6


def test_a_structured_source_states_its_type() -> None:
    assert read_json(json.dumps(doc()).encode(), "t.json").document_type_confidence == 1.0


def test_a_contradicted_type_holds_an_invoice_that_would_post() -> None:
    extracted = read_json(json.dumps(doc()).encode(), "t.json")
    assert ThreeWayMatcher(erp(), InvoiceRegister()).match(extracted).postable
    unsure = extracted.model_copy(update={"document_type_confidence": CONTRADICTED})
    decision = ThreeWayMatcher(erp(), InvoiceRegister()).match(unsure)
    assert decision.rule == "perception.below_confidence_threshold" and not decision.postable
    assert decision.findings[0].data["fields"] == {"document_type": CONTRADICTED}
