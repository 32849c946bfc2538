"""Due dates stated in sentences or computed from payment terms, payment-table cells run together,
letter-style invoice dates, American dates, and currencies printed as "kr" or "Fr." — each in
several languages and wordings; computed or inferred values stay below the auto-post threshold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ap_drawn_pages import draw_pages

from agents.ap.extract.dates import find_dates
from agents.ap.extract.page_reader import read_page_invoice

Row = tuple[float, float, str, float, bool]


def _render(path: Path, rows: list[Row]) -> Path:
    return draw_pages(path, [(40, 40, "Nordlicht Handel GmbH", 16, True), *rows])


DATED: list[Row] = [(330, 120, "Invoice number", 8, False), (440, 120, "NH-2026-118", 8, False),
                    (330, 132, "Invoice date", 8, False), (440, 132, "03.03.2026", 8, False)]  # fmt: skip


@pytest.mark.parametrize(
    "sentence",
    ["€1,234.56 due 17 March 2026", "Payment is due by March 17, 2026. Thank you!", "Zahlbar bis zum 17.03.2026 ohne Abzug.",
     "Montant à régler avant le 17 mars 2026 par virement.", "Gelieve te betalen vóór 17 maart 2026.",
     "Importe pagadero antes del 17 de marzo de 2026.", "Totale da pagare entro il 17 marzo 2026."],
)  # fmt: skip
def test_a_due_date_stated_in_a_sentence(tmp_path: Path, sentence: str) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "s.pdf", [*DATED, (40, 300, sentence, 9, False)]))
    assert invoice.due_date.value == date(2026, 3, 17)


def test_an_early_payment_discount_date_is_not_the_due_date(tmp_path: Path) -> None:
    rows = [*DATED, (40, 300, "Bei Zahlung bis 10.03.2026 gewähren wir 2 % Skonto.", 9, False)]
    invoice, _ = read_page_invoice(_render(tmp_path / "s.pdf", rows))
    assert invoice.due_date.value is None


@pytest.mark.parametrize(
    ("terms", "due"),
    [("Terms: Net 30", date(2026, 4, 2)), ("Payment terms: payable within 14 days of the invoice date", date(2026, 3, 17)),
     ("Zahlbar innerhalb von 10 Tagen, 2 % Skonto; 30 Tage netto", date(2026, 4, 2)),
     ("Conditions de paiement : à 45 jours date de facture", date(2026, 4, 17)),
     ("Betaling binnen 21 dagen na factuurdatum", date(2026, 3, 24)), ("Forma de pago: transferencia a 60 días", date(2026, 5, 2)),
     ("Pagamento: bonifico 30 gg d.f.", date(2026, 4, 2)), ("Payable on receipt of invoice", date(2026, 3, 3)),
     ("Die Rechnung ist sofort fällig.", date(2026, 3, 3))],
)  # fmt: skip
def test_a_due_date_computed_from_stated_terms_stays_below_auto_post(
    tmp_path: Path, terms: str, due: date
) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "t.pdf", [*DATED, (40, 300, terms, 9, False)]))
    assert invoice.due_date.value == due and invoice.due_date.confidence < 0.9


@pytest.mark.parametrize(
    "terms",
    ["30 gg d.f.f.m.", "Payment 30 days end of month", "Paiement à 30 jours fin de mois", "Net amount 30"],
)
def test_no_due_date_without_days_from_the_invoice_date(tmp_path: Path, terms: str) -> None:
    invoice, _ = read_page_invoice(_render(tmp_path / "t.pdf", [*DATED, (40, 300, terms, 9, False)]))
    assert invoice.due_date.value is None


def test_a_payment_table_cell_run_into_its_neighbour(tmp_path: Path) -> None:
    """ "Rimessa diretta vista fattura" overflows into the "Scadenza" column and runs into the date."""
    rows: list[Row] = [*DATED, (40, 300, "PAGAMENTO", 8, False), (130, 300, "SCADENZA", 8, False), (240, 300, "IMPORTO", 8, False),
                       (40, 312, "Rimessa diretta vista fattura", 8, False), (142, 312, "27 marzo 2026", 8, False),
                       (240, 312, "1.234,56", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "cell.pdf", rows))
    assert invoice.due_date.value == date(2026, 3, 27)


def test_a_day_after_an_abbreviation_dot_still_reads_but_digits_do_not_run_into_dates() -> None:
    assert [d for d, _, _ in find_dates("d.f.18 giugno 2026")] == [date(2026, 6, 18)]
    assert [d for d, _, _ in find_dates("2025/06/23")] == [date(2025, 6, 23)]
    assert find_dates("1.18 March 2026") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Lyon, le 3 mars 2026", date(2026, 3, 3)), ("Bremen, den 03.03.2026", date(2026, 3, 3)),
     ("Milano, 3 marzo 2026", date(2026, 3, 3)), ("Valencia, 3 de marzo de 2026", date(2026, 3, 3))],
)  # fmt: skip
def test_a_letter_dated_by_place_and_date(tmp_path: Path, line: str, expected: date) -> None:
    rows: list[Row] = [(330, 120, "Rechnung Nr. NH-2026-118", 9, True), (330, 140, line, 9, False)]
    invoice, _ = read_page_invoice(_render(tmp_path / "l.pdf", rows))
    assert invoice.invoice_date.value == expected and invoice.invoice_date.confidence < 0.9


def test_an_order_dated_in_a_sentence_is_not_the_invoice_date(tmp_path: Path) -> None:
    rows: list[Row] = [(330, 120, "Facture n° F-118", 9, True), (330, 140, "Lyon, le 3 mars 2026", 9, False),
                       (40, 200, "Facture établie selon votre commande n° C-77 du 20 février 2026.", 9, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "f.pdf", rows))
    assert invoice.invoice_date.value == date(2026, 3, 3) and invoice.po_number.value == "C-77"


def test_american_dates_from_a_us_address_and_dollars(tmp_path: Path) -> None:
    rows: list[Row] = [(40, 70, "1200 Elm St, Dayton, OH 45402", 8, False), (330, 120, "Invoice #", 8, False),
                       (440, 120, "40118", 8, False), (330, 132, "Date", 8, False), (440, 132, "03/04/2026", 8, False),
                       (330, 300, "Total", 8, True), (440, 300, "$1,234.56", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "us.pdf", rows))
    assert invoice.invoice_date.value == date(2026, 3, 4)


@pytest.mark.parametrize(
    ("iban", "amount", "code"),
    [("SE45 5000 0000 0583 9825 7466", "1 234,50 kr", "SEK"), ("DK50 0040 0440 1162 43", "kr. 1.234,50", "DKK"),
     ("NO93 8601 1117 947", "kr 1 234,50", "NOK"), ("CH93 0076 2011 6238 5295 7", "Fr. 1'234.50", "CHF")],
)  # fmt: skip
def test_a_currency_word_resolved_by_the_sellers_country(
    tmp_path: Path, iban: str, amount: str, code: str
) -> None:
    rows: list[Row] = [
        *DATED,
        (330, 300, "Total", 8, True),
        (440, 300, amount, 8, False),
        (40, 760, f"IBAN {iban}", 8, False),
    ]
    invoice, _ = read_page_invoice(_render(tmp_path / "kr.pdf", rows))
    assert invoice.currency.value == code and invoice.currency.confidence < 0.95
    if code != "CHF":
        assert invoice.currency.confidence < 0.9


def test_crowns_without_a_country_are_not_guessed(tmp_path: Path) -> None:
    rows: list[Row] = [*DATED, (330, 300, "Total", 8, True), (440, 300, "1 234,50 kr", 8, False)]
    invoice, _ = read_page_invoice(_render(tmp_path / "kr.pdf", rows))
    assert invoice.currency.value is None


@pytest.mark.parametrize(
    ("title", "date_caption", "amount_caption", "printed"),
    [("Scadenze", "Data", "Importo", "27/03/2026"), ("Vencimientos", "Fecha", "Importe", "27/03/2026"),
     ("Fälligkeiten", "Datum", "Betrag", "27.03.2026"), ("Échéances", "Date", "Montant", "27/03/2026")],
)  # fmt: skip
def test_a_payment_schedule_under_its_title(
    tmp_path: Path, title: str, date_caption: str, amount_caption: str, printed: str
) -> None:
    rows: list[Row] = [*DATED, (40, 300, title, 9, True), (40, 314, date_caption, 8, False), (160, 314, amount_caption, 8, False),
                       (40, 327, printed, 8, False), (160, 327, "1.234,56", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "sched.pdf", rows))
    assert invoice.due_date.value == date(2026, 3, 27) and invoice.due_date.confidence < 0.9


def test_a_european_seller_billing_an_american_buyer_keeps_european_dates(tmp_path: Path) -> None:
    rows: list[Row] = [(40, 70, "USt-IdNr. DE136695976", 8, False), (300, 90, "Acme Inc., 1200 Elm St, Dayton, OH 45402", 8, False),
                       (330, 120, "Invoice #", 8, False), (440, 120, "40118", 8, False), (330, 132, "Date", 8, False),
                       (440, 132, "03/04/2026", 8, False), (330, 300, "Total", 8, True), (440, 300, "$1,234.56", 8, False)]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "eu.pdf", rows))
    assert invoice.invoice_date.value == date(2026, 4, 3)
