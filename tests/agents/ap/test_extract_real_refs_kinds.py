"""Kinds of page met on real invoices from other producers (each drawn here in more than one language
or position): a value beside its label in a larger font, due dates stated in sentences and debit
notices, a letter head's date, an order named in a sentence, corrections decided by the total's sign,
currencies printed as signs, words or ISO codes beside an amount, a number run into "n°"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from ap_drawn_pages import read_drawn

from agents.ap.invoice import ExtractedInvoice

Row = tuple[float, float, str, float]
"""(x, top of the text box, text, font size); a row's text is drawn with its top at `top`."""
SELLER: list[Row] = [(40, 40, "Kontorbedarf Hessler GmbH", 14), (40, 60, "Ringstrasse 4, 60311 Frankfurt", 9)]


def _read(tmp_path: Path, rows: list[Row], name: str = "doc.pdf") -> ExtractedInvoice:
    return read_drawn(tmp_path / name, SELLER + rows, cap=0.8)  # cap height ~ 0.8 of the size: tops align


def _totals(net: str, tax: str, gross: str, words: tuple[str, str, str], top: float = 400) -> list[Row]:
    return [
        (300, top, words[0], 10), (480, top, net, 10),
        (300, top + 14, words[1], 10), (480, top + 14, tax, 10),
        (300, top + 28, words[2], 10), (480, top + 28, gross, 10),
    ]  # fmt: skip


GERMAN_TOTALS = ("Nettobetrag", "USt 19 %", "Bruttobetrag")
ENGLISH_TOTALS = ("Subtotal", "VAT 20%", "Total")


@pytest.mark.parametrize(
    ("labels", "number", "when", "expected"),
    [
        (("Rechnungsnummer", "Rechnungsdatum"), "471102", "05.03.2026", date(2026, 3, 5)),
        (("Invoice number", "Invoice date"), "INV-5521", "March 9, 2026", date(2026, 3, 9)),
        (("N° de facture", "Date de facture"), "F-2026-88", "09/03/2026", date(2026, 3, 9)),
    ],
)
def test_a_value_beside_its_label_in_a_larger_font_is_read_across_the_row(
    tmp_path: Path, labels: tuple[str, str], number: str, when: str, expected: date
) -> None:
    # top-aligned cells: a 7 pt label and a 12 pt value share a row, not a baseline
    rows: list[Row] = [
        (360, 80, labels[0], 7), (500, 80, number, 12),
        (360, 95, labels[1], 7), (500, 95, when, 12),
        (40, 80, "Kunden AG", 12), (40, 95, "Hauptweg 1", 12),
    ]  # fmt: skip
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.invoice_number.value == number
    assert invoice.invoice_date.value == expected


def test_a_tall_value_beside_two_stacked_labels_belongs_to_neither(tmp_path: Path) -> None:
    # on no row's baseline: the line grouping keeps all three apart, and the row reader claims it for neither
    rows: list[Row] = [
        (40, 100, "Invoice no.", 8), (40, 114, "Order no.", 8), (200, 101, "Q-2026-17", 20),
        (40, 140, "Invoice number: 88120", 9),
    ]  # fmt: skip
    invoice = _read(tmp_path, rows + _totals("100.00", "20.00", "120.00", ENGLISH_TOTALS))
    assert invoice.invoice_number.value == "88120"
    assert invoice.po_number.value != "Q-2026-17"


HEAD: list[Row] = [(360, 100, "Rechnung Nr. 2026-118", 10), (360, 114, "Rechnungsdatum: 05.03.2026", 10)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (["Zahlbar innerhalb 30 Tagen netto bis 04.04.2026, 3% Skonto innerhalb 10 Tagen bis 15.03.2026"],
         date(2026, 4, 4)),
        (["Payable within 30 days net by 06/04/2026, 2% discount if paid within 10 days until 15/03/2026"],
         date(2026, 4, 6)),
        (["Der Betrag in Höhe von EUR 119,00 wird am 20.03.2026 von Ihrem Konto",
          "per SEPA-Lastschrift eingezogen."], date(2026, 3, 20)),
        (["Montant prélevé le 16 mars 2026"], date(2026, 3, 16)),
        (["Het bedrag wordt afgeschreven op 18-03-2026 van uw rekening."], date(2026, 3, 18)),
        (["Wir würden dann zu der Fälligkeit 21.03.2026 den Beitrag abbuchen."], date(2026, 3, 21)),
    ],
)  # fmt: skip
def test_due_dates_stated_in_sentences_and_debit_notices(
    tmp_path: Path, sentence: list[str], expected: date
) -> None:
    rows = HEAD + [(40, 500 + 12 * i, text, 9) for i, text in enumerate(sentence)]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.due_date.value == expected
    assert invoice.due_date.confidence < 0.9


def test_a_discount_clause_alone_is_not_the_due_date(tmp_path: Path) -> None:
    rows = [*HEAD, (40, 500, "3% Skonto bei Zahlung bis 15.03.2026", 9)]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.due_date.value is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Lieferung am 01.03.2026. Der Restbetrag ist sofort fällig.",
        "Lieferung am 01.03.2026, der Rechnungsbetrag ist ohne Abzug fällig",
    ],
)
def test_a_date_far_before_a_due_verb_is_not_due(tmp_path: Path, sentence: str) -> None:
    rows = [*HEAD, (40, 500, sentence, 9)]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.due_date.value != date(2026, 3, 1)


@pytest.mark.parametrize(
    ("title", "printed", "expected"),
    [
        ("Beitragsrechnung zur Hausratversicherung", "24. Januar 2026", date(2026, 1, 24)),
        ("Premium notice, policy 00.123.456.7", "March 11, 2026", date(2026, 3, 11)),
        ("Avis d'échéance", "18 avril 2026", date(2026, 4, 18)),
    ],
)
def test_a_date_alone_at_the_right_of_the_letter_head_is_the_invoice_date(
    tmp_path: Path, title: str, printed: str, expected: date
) -> None:
    rows: list[Row] = [(40, 200, title, 10), (430, 200, printed, 10)]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.invoice_date.value == expected
    assert invoice.invoice_date.confidence < 0.9


def test_two_lone_dates_in_the_head_name_no_invoice_date(tmp_path: Path) -> None:
    rows: list[Row] = [
        (40, 200, "Beitragsrechnung", 10),
        (430, 200, "24.01.2026", 10),
        (430, 240, "30.01.2026", 10),
    ]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.invoice_date.value is None


@pytest.mark.parametrize(
    ("sentence", "reference"),
    [
        ("Rechnung gemäß Bestellung Nr. 2026-471331 vom 01.03.2026", ("Ihr Zeichen:", "AB-312")),
        ("Facture selon commande n° 2026-471331 du 01/03/2026", ("Votre référence :", "JD")),
        ("Invoiced according to order no. 2026-471331 of 1 March 2026", ("Your ref.:", "K-9")),
    ],
)
def test_an_order_named_in_a_sentence_beats_a_bare_buyer_reference(
    tmp_path: Path, sentence: str, reference: tuple[str, str]
) -> None:
    rows = [*HEAD, (40, 250, reference[0], 9), (140, 250, reference[1], 9), (40, 270, sentence, 9)]
    invoice = _read(tmp_path, rows + _totals("100,00", "19,00", "119,00", GERMAN_TOTALS))
    assert invoice.po_number.value == "2026-471331"
    assert invoice.po_number.confidence < 0.9


@pytest.mark.parametrize(
    ("title", "amounts", "kind", "warned"),
    [
        ("RECHNUNGS-KORREKTUR", ("-7,67", "-1,12", "-8,79"), "credit_note", False),
        ("Korrekturrechnung", ("7,67", "1,12", "8,79"), "invoice", False),
        ("Factura rectificativa", ("-7,67", "-1,12", "-8,79"), "credit_note", False),
        ("Gutschrift", ("7,67", "1,12", "8,79"), "credit_note", False),
        ("Rechnung", ("-7,67", "-1,12", "-8,79"), "invoice", True),
    ],
)
def test_a_correction_is_a_credit_note_when_its_total_is_negative(
    tmp_path: Path, title: str, amounts: tuple[str, str, str], kind: str, warned: bool
) -> None:
    rows: list[Row] = [(360, 100, title, 12), (360, 120, "Beleg-Nr.: RK-2026-12", 9)]
    invoice = _read(tmp_path, rows + _totals(*amounts, GERMAN_TOTALS))
    assert invoice.total.value == Decimal("8.79")
    assert invoice.document_type == kind
    assert any(w.startswith("document type") for w in invoice.warnings) == warned
    assert (invoice.document_type_confidence < 0.9) == warned  # a contradicted type is held


@pytest.mark.parametrize(
    ("printed", "code"),
    [("Rs. 319.00", "INR"), ("12 500 Ft", "HUF"), ("KES 1,500.00", "KES"), ("1.234,00 lei", "RON")],
)
def test_currencies_printed_beside_an_amount_without_a_known_sign(
    tmp_path: Path, printed: str, code: str
) -> None:
    rows: list[Row] = [
        (360, 100, "Invoice No: 5521", 10),
        (40, 450, "Amount payable", 10),
        (300, 450, printed, 10),
    ]
    invoice = _read(tmp_path, rows)
    assert invoice.currency.value == code


def test_word_shaped_codes_beside_numbers_are_not_currencies(tmp_path: Path) -> None:
    rows: list[Row] = [
        (360, 100, "Invoice No: 5521", 10),
        (40, 450, "ALL 3 items", 10),
        (40, 470, "Total 12.00", 10),
    ]
    assert _read(tmp_path, rows).currency.value is None


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Facture n°562044387 du 02 juillet 2026", "562044387"),
        ("Avoir n°A-2026-77 du 02/07/2026", "A-2026-77"),
    ],
)
def test_a_number_run_into_its_label_sign_is_read(tmp_path: Path, line: str, number: str) -> None:
    invoice = _read(tmp_path, [(40, 200, line, 14), *_totals("24,99", "5,00", "29,99", GERMAN_TOTALS)])
    assert invoice.invoice_number.value == number
    assert invoice.invoice_date.value == date(2026, 7, 2)


def test_an_american_date_with_a_space_before_its_comma(tmp_path: Path) -> None:
    rows: list[Row] = [(300, 100, "Invoice Date:", 8), (480, 100, "August 3 , 2026", 8)]
    assert _read(tmp_path, rows).invoice_date.value == date(2026, 8, 3)
