"""The label index by leading letters: a pattern is keyed by the letters every match of it begins
with, and matching through the index finds exactly what trying every pattern of the first letter
finds (the longest label, the first on a tie)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.ap.extract.label_prefixes import literal_prefix, needs_percent
from agents.ap.extract.page_reader import read_pages
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
    "19% MwSt.", "7 %", "Rabatt 3,00% auf 19,0", "100%",
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


@pytest.mark.parametrize(
    ("source", "needed"),
    [(r"\d+(?:[.,]\d+)?\s*%\s*vat", True), (r"zzgl\.?\s*\d+\s*%\s*ust", True), (r"a%?", False),
     (r"a(?:%|b)", False), (r"a%|b", False), (r"a[%]", False), (r"a\%", False), (r"vat", False)],
)  # fmt: skip
def test_a_pattern_needs_a_percent_only_when_every_match_holds_one(source: str, needed: bool) -> None:
    assert needs_percent(source) is needed


DEV = Path(os.environ.get("OPSPACK_SHARED_DATA", Path(__file__).resolve().parents[4] / "shared" / "data"))
DEV_PDFS = sorted((DEV / "invoices-real").glob("*.pdf"))


@pytest.mark.skipif(not DEV_PDFS, reason="real invoice development set not found")
def test_the_index_matches_like_every_pattern_on_every_start_of_the_real_texts() -> None:
    texts = {
        fold(text)
        for path in DEV_PDFS
        for page in read_pages(path, ocr=False)[0]
        for line in page.lines
        for text in (line.text, *(phrase.text for phrase in line.phrases))
    }
    for patterns in (HEADER_PATTERNS, COLUMN_PATTERNS):
        for folded in texts:
            for start in range(len(folded)):
                expected = _every_pattern_of_the_first_letter(folded, patterns, start)
                assert match_label(folded, patterns, start) == expected, (folded, start)
