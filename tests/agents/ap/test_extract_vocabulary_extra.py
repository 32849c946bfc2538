"""The added label words: synonyms in the six core languages and Portuguese, Polish, Swedish and
Danish labels map to the right field, the longest label still wins, credit-note titles in those
languages make a credit note, and their month names read as dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from agents.ap.extract.dates import WEEKDAYS, parse_date
from agents.ap.extract.identifiers import find_currencies
from agents.ap.extract.numbers import find_amounts
from agents.ap.extract.vocabulary import (
    CREDIT_NOTE_WORDS,
    DOCUMENT_TITLES,
    HEADER_PATTERNS,
    _leading_alternatives,
    fold,
    match_label,
)


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Faktura-Nr.", "invoice_number"), ("Fatura N.º", "invoice_number"), ("Faktura VAT nr", "invoice_number"),
        ("Numer faktury", "invoice_number"), ("Fakturanummer", "invoice_number"), ("Fakturanr.", "invoice_number"),
        ("Our Invoice No", "invoice_number"), ("Fakturadatum", "invoice_date"), ("Data wystawienia", "invoice_date"),
        ("Data de emissão", "invoice_date"), ("Tax Date", "invoice_date"), ("Fakturadato", "invoice_date"),
        ("Fecha vencimiento", "due_date"), ("Termin płatności", "due_date"), ("Förfallodatum", "due_date"),
        ("Forfaldsdato", "due_date"), ("Data de vencimento", "due_date"), ("Scadenza pagamento", "due_date"),
        ("Ihre Bestellung", "po_number"), ("Bestellung", "po_number"), ("Bon de commande n°", "po_number"),
        ("Uw bestelnummer", "po_number"), ("Su pedido nº", "po_number"), ("Vostro ordine n.", "po_number"),
        ("N.º encomenda", "po_number"), ("Nr zamówienia", "po_number"), ("Ert ordernr", "po_number"),
        ("Ordrenr.", "po_number"), ("Rekvisitionsnr.", "po_number"), ("Cust. Order", "po_number"),
        ("Warenwert netto", "subtotal"), ("Nettowert", "subtotal"), ("Montant hors taxes", "subtotal"),
        ("Goods total", "subtotal"), ("Total ilíquido", "subtotal"), ("Razem netto", "subtotal"),
        ("Belopp exkl. moms", "subtotal"), ("Moms 25 %", "tax"), ("25% moms", "tax"), ("Kwota VAT", "tax"),
        ("Razem brutto", "total"), ("Total documento", "total"), ("I alt", "total"), ("Summa", "total"),
        ("Do zapłaty", "amount_due"), ("Kvar att betala", "amount_due"), ("Restbeløb", "amount_due"),
        ("Nog te betalen", "amount_due"), ("Forudbetalt", "prepaid"), ("Adiantamento", "prepaid"),
        ("Momsreg.nr", "vendor_tax_id"), ("CVR-nr.", "vendor_tax_id"), ("NIP", "vendor_tax_id"),
        ("Kundnummer", "customer_number"), ("Nr klienta", "customer_number"), ("Data sprzedaży", "delivery_date"),
        ("Vores ref.", "our_reference"), ("Gesamtbetrag netto", "subtotal"), ("Gesamtbetrag brutto", "total"),
        ("Gesamtbetrag", "total"), ("Amount excluding VAT", "subtotal"), ("Amount including VAT", "total"),
        ("VAT amount (20%)", "tax"), ("Solde dû", "amount_due"), ("Te voldoen", "amount_due"),
        ("Outstanding balance", "amount_due"), ("Payment received", "prepaid"), ("Bereits gezahlt", "prepaid"),
        ("Your Purchase Order", "po_number"), ("Kundenbestellnummer", "po_number"), ("Votre bon de commande", "po_number"),
        ("Número de pedido del cliente", "po_number"), ("Payable avant le", "due_date"), ("Zahlungstermin", "due_date"),
    ],
)  # fmt: skip
def test_added_labels_name_their_field(label: str, field: str) -> None:
    matched = match_label(fold(label), HEADER_PATTERNS)
    assert matched is not None and matched[0] == field, (label, matched)


@pytest.mark.parametrize(
    ("word", "not_field"),
    [
        ("Datos bancarios", "invoice_date"),
        ("Kundservice", "bill_to"),
        ("Summarisch", "total"),
        ("Razemski", "total"),
    ],
)
def test_added_labels_end_at_a_word_boundary(word: str, not_field: str) -> None:
    matched = match_label(fold(word), HEADER_PATTERNS)
    assert matched is None or matched[0] != not_field, matched


@pytest.mark.parametrize("title", ["CREDITFACTUUR", "Kreditnota", "KREDITFAKTURA", "Nota de crédito"])
def test_credit_note_titles_in_the_added_languages(title: str) -> None:
    assert CREDIT_NOTE_WORDS.match(fold(title))
    assert DOCUMENT_TITLES.match(fold(title))


def test_faktura_alone_is_a_title_not_a_credit_note() -> None:
    assert DOCUMENT_TITLES.match(fold("FAKTURA"))
    assert not CREDIT_NOTE_WORDS.match(fold("FAKTURA"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6. december 2026", date(2026, 12, 6)), ("6 grudnia 2026", date(2026, 12, 6)),
     ("6 dezembro 2026", date(2026, 12, 6)), ("6 maj 2026", date(2026, 5, 6))],
)  # fmt: skip
def test_month_names_of_the_added_languages(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "codes"),
    [("Razem 1 234,56 zł", ["PLN"]), ("R$ 1.234,56", ["BRL"]), ("$1,234.56", ["USD"]), ("Kč 100", ["CZK"]),
     ("Summa 100,00 kr", [])],
)  # fmt: skip
def test_currency_symbols_of_several_characters(text: str, codes: list[str]) -> None:
    assert [code for code, *_ in find_currencies(text)] == codes


def test_a_trailing_minus_makes_an_amount_negative() -> None:
    assert [value for value, *_ in find_amounts("Endbetrag 1.234,56- EUR", ",")] == [Decimal("-1234.56")]
    assert [value for value, *_ in find_amounts("12-15 Stk", ",")] == [Decimal("12"), Decimal("15")]


def test_day_names_are_known_in_every_language() -> None:
    assert {"saturday", "sonntag", "lundi", "zaterdag", "domingo", "sabato"} <= WEEKDAYS


@pytest.mark.parametrize(
    ("source", "expanded"),
    [(r"(?:nr|numer)\s*faktury", [r"nr\s*faktury", r"numer\s*faktury"]),
     (r"(?:less\s*)?payments?\s*received", [r"less\s*payments?\s*received", r"payments?\s*received"]),
     (r"(?:a|b)+c", [r"(?:a|b)+c"]), (r"invoice\s*date", [r"invoice\s*date"])],
)  # fmt: skip
def test_a_leading_group_is_split_into_the_ways_a_label_begins(source: str, expanded: list[str]) -> None:
    assert _leading_alternatives(source) == expanded


def test_labels_are_indexed_by_their_first_character() -> None:
    # a pattern tried at every phrase start costs every document; the hot path keeps them few
    assert len(HEADER_PATTERNS.anywhere) <= 3


@pytest.mark.parametrize(
    ("text", "field", "rest"),
    [("Rif. Vs. ordine n. 4500", "po_number", "4500"), ("Su pedido nº: 12", "po_number", "12"),
     ("Ordine: ORD952131", "po_number", "ORD952131"), ("Date Nov 20, 2025", "invoice_date", "Nov 20, 2025"),
     ("Re-Datum 03.02.2026", "invoice_date", "03.02.2026"), ("Scad. 03/02/2026", "due_date", "03/02/2026")],
)  # fmt: skip
def test_a_number_word_after_a_label_belongs_to_the_label(text: str, field: str, rest: str) -> None:
    matched = match_label(fold(text), HEADER_PATTERNS)
    assert matched is not None and matched[0] == field and text[matched[1] :] == rest, matched
