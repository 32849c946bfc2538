"""The label index by leading letters: a pattern is keyed by the letters every match of it begins
with, and matching through the index finds exactly what trying every pattern of the first letter
finds (the longest label, the first on a tie)."""

from __future__ import annotations

import pytest

from agents.ap.extract.label_prefixes import literal_prefix
from agents.ap.extract.vocabulary import COLUMN_PATTERNS, HEADER_PATTERNS, LabelSet, fold, match_label


@pytest.mark.parametrize(
    ("source", "first", "prefix"),
    [(r"invoice\s*date", "i", "inv"), (r"re\.?-?\s*nr\.?", "r", "re"), (r"ab?c", "a", "a"),
     (r"abc*d", "a", "ab"), (r"ab{2}", "a", "a"), (r"ab|ad", "a", "a"), (r"a(?:b|c)d", "a", "a"),
     (r"po(?:sition|s\.?)", "p", "po"), (r"\d+\s*%", "7", "7"), (r"#", "#", "#"), (r"x", "x", "x")],
)  # fmt: skip
def test_a_pattern_is_keyed_by_the_letters_every_match_begins_with(
    source: str, first: str, prefix: str
) -> None:
    assert literal_prefix(source, first) == prefix


def _every_pattern_of_the_first_letter(folded: str, patterns: LabelSet, start: int) -> tuple[str, int] | None:
    best: tuple[str, int] | None = None
    for name, pattern in patterns.by_first.get(folded[start], []) + patterns.anywhere:
        match = pattern.match(folded, start)
        if match and (best is None or match.end() > best[1]):
            best = (name, match.end())
    return best


PHRASES = [
    "Invoice No.: 2024-17", "Invoice Date 01.02.2024", "Rechnungsnummer 42", "Re.-Nr. 42", "Total HT 100,00",
    "Total TTC", "VAT Reg. No. DE811569869", "N° de facture FA-12", "Nº factura 7", "# 5521", "Fattura n. 3",
    "Bestellnummer 4500012345", "Due date", "Fälligkeitsdatum", "Montant HT", "Qty", "Unit price", "Pos.",
    "Description Quantity Unit price Amount", "Artikel Menge Einzelpreis Gesamt", "Bank details: IBAN: DE89",
    "Your order no 77", "Customer PO 12", "net 30 days", "Mwst. 19 %", "Summe netto", "Zwischensumme",
    "Amount due", "Balance", "IBAN", "BIC", "Datum: 03.03.26", "x", "1", "12 % VAT", "Seite 1 von 2",
]  # fmt: skip


@pytest.mark.parametrize("patterns", [HEADER_PATTERNS, COLUMN_PATTERNS])
def test_the_index_matches_like_trying_every_pattern_of_the_first_letter(patterns: LabelSet) -> None:
    compared = 0
    for phrase in PHRASES:
        folded = fold(phrase)
        for start in range(len(folded)):
            expected = _every_pattern_of_the_first_letter(folded, patterns, start)
            assert match_label(folded, patterns, start) == expected, (phrase, start)
            compared += expected is not None
    assert compared > 20  # the phrases do hold labels, at their starts and inside them


def test_a_word_where_no_label_begins_is_told_apart() -> None:
    assert HEADER_PATTERNS.may_start(fold("Rechnung"))
    assert not COLUMN_PATTERNS.may_start(fold("Zzyzx"))
    assert "invoice_date" in HEADER_PATTERNS.fields_at(fold("Datum"))
    assert "invoice_number" not in HEADER_PATTERNS.fields_at(fold("Datum"))
