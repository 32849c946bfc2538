"""Number, date, identifier and label parsing: the primitives every layout depends on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from agents.ap.extract.dates import parse_date
from agents.ap.extract.identifiers import find_currencies, find_eins, find_ibans, find_vat_ids
from agents.ap.extract.numbers import infer_decimal_separator, parse_number
from agents.ap.extract.vocabulary import HEADER_PATTERNS, fold, match_label


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("1,234.56", None, "1234.56"),
        ("1.234,56", None, "1234.56"),
        ("1 234,56", None, "1234.56"),
        ("1\u00a0234,56", None, "1234.56"),
        ("1\u202f234,56", None, "1234.56"),
        ("1'234.56", None, "1234.56"),
        ("1’234.56", None, "1234.56"),
        ("12.345.678,90", None, "12345678.90"),
        ("1.234", ",", "1234"),
        ("1.234", ".", "1.234"),
        ("(5.00)", None, "-5.00"),
        ("5.00-", None, "-5.00"),
        ("7", None, "7"),
    ],
)
def test_numbers_in_every_convention(text: str, hint: str | None, expected: str) -> None:
    assert parse_number(text, hint) == Decimal(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["abc", "1,23,4.5", "", "12.3.4,5,6"])
def test_non_numbers_are_refused(text: str) -> None:
    assert parse_number(text) is None


def test_decimal_separator_is_inferred_from_unambiguous_amounts() -> None:
    assert infer_decimal_separator(["Summe 1.234,56 €", "MwSt 234,56"]) == ","
    assert infer_decimal_separator(["Total 1,234.56"]) == "."
    assert infer_decimal_separator(["no amounts"]) is None


@pytest.mark.parametrize(
    "text",
    [
        "24.11.2026",
        "24/11/2026",
        "24-11-2026",
        "2026-11-24",
        "24 Nov 2026",
        "24. November 2026",
        "24 novembre 2026",
        "24 november 2026",
        "Nov 24, 2026",
        "Datum: 24.11.26",
    ],
)
def test_dates_in_every_format(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 24)


def test_month_first_only_when_told_or_forced() -> None:
    assert parse_date("03/04/2026") == date(2026, 4, 3)
    assert parse_date("03/04/2026", month_first=True) == date(2026, 3, 4)
    assert parse_date("11/24/2026") == date(2026, 11, 24)
    assert parse_date("31.02.2026") is None


def test_vat_ids_ein_iban_and_currency() -> None:
    assert [v for v, *_ in find_vat_ids("USt-IdNr.: DE 811 569 869")] == ["DE811569869"]
    assert [v for v, *_ in find_vat_ids("BTW NL004495445B01, KvK 123")] == ["NL004495445B01"]
    assert [v for v, *_ in find_vat_ids("DE12345")] == []
    assert [v for v, *_ in find_eins("EIN: 36-1150280")] == ["36-1150280"]
    good = find_ibans("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX")
    assert good and good[0][:2] == ("DE89370400440532013000", True)
    bad = find_ibans("IBAN DE89 3704 0044 0532 0130 01")
    assert bad and bad[0][1] is False
    assert [c for c, *_ in find_currencies("Total € 12 and USD 5")] == ["EUR", "USD"]


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Invoice No.:", "invoice_number"),
        ("Rechnungs-Nr.", "invoice_number"),
        ("N° de facture", "invoice_number"),
        ("Factuurnummer", "invoice_number"),
        ("Total HT", "subtotal"),
        ("Total TTC", "total"),
        ("Totaal excl. btw", "subtotal"),
        ("Totaal incl. btw", "total"),
        ("VAT Reg. No.", "vendor_tax_id"),
        ("VAT 19 %", "tax"),
        ("Due Date", "due_date"),
        ("Date d'échéance", "due_date"),
        ("Fällig am", "due_date"),
        ("Ihre USt-IdNr.", "buyer_tax_id"),
        ("Rechnungsempfänger", "bill_to"),
        ("Total H.T.", "subtotal"),
        ("Total T.T.C.", "total"),
        ("T.V.A. 20 %", "tax"),
        ("21% BTW", "tax"),
        ("Totaal exclusief BTW", "subtotal"),
        ("Totaal inclusief BTW", "total"),
        ("Total excl. VAT", "subtotal"),
        ("Total incl. VAT", "total"),
        ("Total IVA", "tax"),
        ("VAT @ 20%", "tax"),
        ("Summe USt.", "tax"),
        ("Ihr Zeichen", "po_number"),
        ("Votre réf.", "po_number"),
        ("Rif. Vs. ordine", "po_number"),
        ("Uw kenmerk", "po_number"),
        ("Purchase order no.", "po_number"),
        ("Our ref", "our_reference"),
        ("Unser Zeichen", "our_reference"),
        ("Notre réf.", "our_reference"),
        ("Ns. rif.", "our_reference"),
        ("Paid on account", "prepaid"),
        ("abzgl. Abschlagszahlung", "prepaid"),
        ("Entregas a cuenta", "prepaid"),
        ("Balance to pay", "amount_due"),
        ("Uiterlijk te betalen", "due_date"),
        ("N. fattura", "invoice_number"),
    ],
)
def test_longest_label_wins(label: str, field: str) -> None:
    matched = match_label(fold(label), HEADER_PATTERNS)
    assert matched is not None and matched[0] == field


def test_fold_keeps_offsets() -> None:
    text = "Fällig am: Échéance"
    assert len(fold(text)) == len(text)
    assert fold(text) == "fallig am: echeance"
