"""Layout reasoning without templates: values below a row of labels, number and date in one sentence,
a summary grid whose last row is the sum, a prepayment, several VAT rates and a wrong printed total."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from ap_drawn_pages import draw_pages

from agents.ap.extract.page_reader import read_page_invoice

Row = tuple[float, float, str, float, bool]
LETTERHEAD: list[Row] = [
    (40, 40, "Kranwerk Sonnenfeld GmbH", 18, True),
    (40, 700, "USt-IdNr.: DE136695976", 8, False),
]


def _render(path: Path, rows: list[Row]) -> Path:
    return draw_pages(path, LETTERHEAD + rows)


@pytest.mark.parametrize(
    ("labels", "values"),
    [
        (("Invoice No.", "Invoice Date", "Due Date", "Order No."), ("INV-20931", "03/02/2025", "05/03/2025", "PO-77812")),
        (("Rechnungsnummer", "Datum", "Fällig am", "Bestellnummer"), ("INV-20931", "03.02.2025", "05.03.2025", "PO-77812")),
        (("Numero fattura", "Data fattura", "Scadenza", "Rif. ordine"), ("INV-20931", "03/02/2025", "05/03/2025", "PO-77812")),
    ],
)  # fmt: skip
def test_values_below_a_row_of_labels(
    tmp_path: Path, labels: tuple[str, ...], values: tuple[str, ...]
) -> None:
    rows: list[Row] = [(40 + 130 * i, 150, label, 8, True) for i, label in enumerate(labels)]
    rows += [(40 + 130 * i, 162, value, 9, False) for i, value in enumerate(values)]
    invoice, _ = read_page_invoice(_render(tmp_path / "grid.pdf", rows))
    assert invoice.invoice_number.value == "INV-20931" and invoice.po_number.value == "PO-77812"
    assert invoice.invoice_date.value == date(2025, 2, 3) and invoice.due_date.value == date(2025, 3, 5)


@pytest.mark.parametrize(
    "sentence",
    ["Facture n° F-2025-031 du 03/02/2025", "Factura nº F-2025-031 de fecha 03/02/2025",
     "Rechnung Nr. F-2025-031 vom 03.02.2025", "Fattura n. F-2025-031 del 03/02/2025"],
)  # fmt: skip
def test_number_and_date_in_one_sentence(tmp_path: Path, sentence: str) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "s.pdf", [(40, 150, sentence, 13, True)]))
    assert invoice.invoice_number.value == "F-2025-031"
    assert invoice.invoice_date.value == date(2025, 2, 3)


def test_prepayment_and_several_vat_rates_are_read_as_printed(tmp_path: Path) -> None:
    rows: list[Row] = [
        (40, 150, "Facture n° F-1 du 03/02/2025", 12, True),
        (300, 300, "Total HT", 9, False), (480, 300, "1 000,00 €", 9, False),
        (300, 314, "TVA 20 %", 9, False), (480, 314, "100,00 €", 9, False),
        (300, 328, "TVA 5,5 %", 9, False), (480, 328, "27,50 €", 9, False),
        (300, 342, "Total TTC", 9, False), (480, 342, "1 127,50 €", 9, False),
        (300, 356, "Acompte versé", 9, False), (480, 356, "-300,00 €", 9, False),
        (300, 370, "Net à payer", 9, True), (480, 370, "827,50 €", 9, True),
    ]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "p.pdf", rows))
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal("1000.00"), Decimal("127.50"), Decimal("1127.50"),
    )  # fmt: skip
    assert invoice.amount_due.value == Decimal("827.50")
    assert (
        min(f.confidence for f in (invoice.subtotal, invoice.tax, invoice.total, invoice.amount_due)) >= 0.9
    )


def test_an_amount_due_that_ignores_the_prepayment_is_flagged_not_fixed(tmp_path: Path) -> None:
    rows: list[Row] = [
        (300, 300, "Nettobetrag", 9, False), (480, 300, "100,00", 9, False),
        (300, 314, "MwSt. 19 %", 9, False), (480, 314, "19,00", 9, False),
        (300, 328, "Bruttosumme", 9, False), (480, 328, "119,00", 9, False),
        (300, 342, "abzgl. Anzahlung", 9, False), (480, 342, "-50,00", 9, False),
        (300, 356, "Zahlbetrag", 9, True), (480, 356, "79,00", 9, True),
    ]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "w.pdf", rows))
    assert invoice.amount_due.value == Decimal("79.00") and invoice.amount_due.confidence < 0.9
    assert invoice.total.value == Decimal("119.00") and invoice.total.confidence >= 0.9
    assert any("amount due 79.00" in warning for warning in invoice.warnings)
