"""Amounts on kinds of real invoices from other producers, each drawn in at least two variants
(another language, wording or position) so that the rule is tested for the kind, not one file:
a totals row whose label stands far left of its amount, a currency set in a cell of its own, a
table's sum row labelled left of the table, dates, ids and counts next to amount labels, an
arrears line added to the amount due, and a gross-price invoice printing only the tax it contains."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from ap_drawn_pages import draw_pages
from reportlab.pdfbase.pdfmetrics import stringWidth

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.numbers import find_amounts, identifier_like
from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.extract.totals_solver import solve

Row = tuple[float, float, str, float]


def _right(x: float, top: float, text: str, size: float = 9) -> Row:
    return (x - stringWidth(text, "Helvetica", size), top, text, size)


def _render(path: Path, rows: list[Row]) -> Path:
    return draw_pages(path, rows)


def _amounts(path: Path) -> dict[str, tuple[Decimal | None, float]]:
    invoice, _ = read_page_invoice(path, ocr=False)
    return {
        name: (getattr(invoice, name).value, getattr(invoice, name).confidence)
        for name in ("subtotal", "tax", "total", "amount_due")
    }


def _with_head(title: str, vendor: str, rows: list[Row]) -> list[Row]:
    return [(40, 40, vendor, 14), (40, 110, title, 11), (40, 780, "VAT DE136695976", 7), *rows]


ACROSS: dict[str, tuple[list[Row], dict[str, str]]] = {
    "en cloud bill, labels far left of a right-edge column": (
        _with_head("Invoice Number: 42183017", "Nimbus Web Services, Inc.", [(40, 300, "Summary", 10), (60, 320, "Subtotal", 9), _right(560, 320, "$104.11"),
           (60, 336, "Tax *", 9), _right(560, 336, "$8.33"),
           (40, 352, "Total for this invoice", 9), _right(560, 352, "$112.44")]),
        {"tax": "8.33", "total": "112.44"},
    ),
    "de totals block, Zwischensumme and Rechnungssumme far from their amounts": (
        _with_head("Rechnung Nr. 2013-4711 vom 05.06.2013", "Lieferant GmbH", [(180, 500, "Zwischensumme", 9), _right(560, 500, "202,76"),
           (180, 514, "abzgl. Sondernachlass", 9), _right(560, 514, "-9,00"),
           (57, 540, "Rechnungssumme Netto (exkl. USt.)", 9), _right(560, 540, "193,76"),
           (180, 556, "Summe Umsatzsteuer", 9), _right(560, 556, "36,81"),
           (57, 572, "Rechnungssumme Brutto (inkl. USt.)", 9), _right(560, 572, "230,57")]),
        {"subtotal": "193.76", "tax": "36.81", "total": "230.57", "amount_due": "230.57"},
    ),
    "nl boxes, the euro sign in a cell of its own": (
        _with_head("Factuur Nr. 16117778", "Exacto Belgium BVBA", [(400, 600, "Totaal bedrag excl. BTW", 8), (505, 600, "€", 8), _right(560, 600, "131,00"),
           (400, 614, "Totaal bedrag BTW", 8), (505, 614, "€", 8), _right(560, 614, "27,51"),
           (400, 628, "Totaal bedrag incl. BTW", 8), (505, 628, "€", 8), _right(560, 628, "158,51")]),
        {"subtotal": "131.00", "tax": "27.51", "total": "158.51"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ACROSS))
def test_totals_rows_read_across_the_page(tmp_path: Path, name: str) -> None:
    rows, expected = ACROSS[name]
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    for field, value in expected.items():
        assert found[field][0] == Decimal(value), (name, field, found)
        assert found[field][1] >= 0.9, (name, field, found)  # labelled values whose arithmetic closes


SUM_ROW_LEFT: dict[str, tuple[list[Row], dict[str, str]]] = {
    "fr: HT / TVA / TTC columns, 'Total facture' left of the table, a TVA line under it": (
        _with_head("Facture n°562044387 du 02 Juillet 2015", "Libre Fibre SAS", [(300, 372, "Montant EUR HT", 8), (402, 372, "Montant TVA", 8), (487, 372, "Montant EUR TTC", 8),
           (40, 386, "Abonnements, forfaits et options", 8), _right(367, 386, "24.99"), _right(455, 386, "5.00"), _right(562, 386, "29.99"),
           (40, 396, "Communications", 8), _right(367, 396, "0.00"), _right(455, 396, "0.00"), _right(562, 396, "0.00"),
           (40, 406, "Services ponctuels", 8), _right(367, 406, "0.00"), _right(455, 406, "0.00"), _right(562, 406, "0.00"),
           (60, 422, "Total facture", 8), _right(367, 422, "24.99"), _right(455, 422, "5.00"), _right(562, 422, "29.99"),
           (40, 436, "TVA 20% payée sur les encaissements", 8), _right(455, 436, "5.00"),
           (40, 490, "Somme à payer", 8), _right(540, 490, "29.99 € TTC")]),
        {"subtotal": "24.99", "tax": "5.00", "total": "29.99"},
    ),
    "de: Netto / MwSt / Brutto columns, 'Gesamtbetrag' left of the table, a MwSt line under it": (
        _with_head("Rechnung Nr. 88-120 vom 04.03.2024", "Funknetz GmbH", [(300, 372, "Betrag netto", 8), (402, 372, "MwSt", 8), (487, 372, "Betrag brutto", 8),
           (40, 386, "Grundgebühren", 8), _right(367, 386, "40,00"), _right(455, 386, "7,60"), _right(562, 386, "47,60"),
           (40, 396, "Verbindungen", 8), _right(367, 396, "0,00"), _right(455, 396, "0,00"), _right(562, 396, "0,00"),
           (40, 406, "Gutschriften", 8), _right(367, 406, "0,00"), _right(455, 406, "0,00"), _right(562, 406, "0,00"),
           (60, 422, "Gesamtbetrag", 8), _right(367, 422, "40,00"), _right(455, 422, "7,60"), _right(562, 422, "47,60"),
           (40, 436, "Umsatzsteuer 19 % nach vereinnahmten Entgelten", 8), _right(455, 436, "7,60"),
           (40, 490, "Zu zahlender Betrag", 8), _right(540, 490, "47,60 EUR")]),
        {"subtotal": "40.00", "tax": "7.60", "total": "47.60"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SUM_ROW_LEFT))
def test_sum_row_labelled_left_of_its_table(tmp_path: Path, name: str) -> None:
    """The net read as the gross with a tax of 0 (net + 0 = net) must never be confirmed."""
    rows, expected = SUM_ROW_LEFT[name]
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    for field, value in expected.items():
        assert found[field][0] == Decimal(value), (name, field, found)
    assert found["total"][0] != found["subtotal"][0] or found["total"][1] < 0.9


def test_one_printed_amount_as_net_and_gross_confirms_nothing() -> None:
    box = (300.0, 400.0, 340.0, 410.0)
    same = Candidate(Decimal("24.99"), 0.88, 1, box, "24.99")
    zero = Candidate(Decimal("0.00"), 0.75, 1, (400.0, 420.0, 420.0, 430.0), "0.00")
    solved = solve({"subtotal": [same], "tax": [zero], "total": [same]}, None)
    assert all(c is None or c.confidence < 0.9 for c in solved.values.values())


NOT_AMOUNTS: dict[str, tuple[list[Row], dict[str, str]]] = {
    "en: a date in the amount-due label ('TOTAL AMOUNT DUE ON August 3 , 2014')": (
        _with_head("Invoice Number: 42183017", "Nimbus Web Services, Inc.", [(257, 145, "TOTAL AMOUNT DUE ON August 3 , 2014", 9), _right(570, 145, "$4.11")]),
        {"amount_due": "4.11"},
    ),
    "de: a date with a month name in the label ('fällig am 7. Mai 2014')": (
        _with_head("Rechnung Nr. 30064443", "Hosting AG", [(257, 145, "Gesamtbetrag fällig am 7. Mai 2014", 9), _right(570, 145, "34,73 EUR")]),
        {"total": "34.73"},
    ),
    "ids after tax labels (VAT/TIN, Steuer-Nr.) are never tax amounts": (
        _with_head("Tax Invoice No: BLR-2015-77", "WS Retail Services Pvt. Ltd.", [(9, 142, "VAT/TIN: 29670869006", 8), (227, 800, "Steuer-Nr. 044 241 601 03", 7),
           (305, 300, "Grand Total", 9), _right(570, 300, "319.00")]),
        {"total": "319.00"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(NOT_AMOUNTS))
def test_dates_and_ids_beside_amount_labels_are_not_amounts(tmp_path: Path, name: str) -> None:
    rows, expected = NOT_AMOUNTS[name]
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    for field, value in expected.items():
        assert found[field][0] == Decimal(value), (name, field, found)
    assert found["tax"][0] is None, found


def test_a_count_in_the_quantity_column_of_a_sum_row_is_no_total(tmp_path: Path) -> None:
    rows = _with_head("Invoice No : # BLR_WFLD20151000982590", "WS Retail Services Pvt. Ltd.", [
        (9, 185, "Product", 8), (115, 185, "Title", 8), (345, 185, "Qty", 8), (377, 185, "Price", 8),
        (486, 185, "Tax", 8), (534, 185, "Total", 8),
        (9, 209, "Memory cards", 8), (115, 209, "SanDisk Ultra 16 GB", 8), (355, 209, "1", 8),
        _right(420, 209, "278.61", 8), _right(520, 209, "40.39", 8), _right(570, 209, "319.00", 8),
        (305, 267, "Total", 8), (355, 267, "1", 8), _right(420, 267, "278.61", 8),
        _right(520, 267, "40.39", 8), _right(570, 267, "319.00", 8),
    ])  # fmt: skip
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    assert found["total"][0] == Decimal("319.00"), found
    assert found["amount_due"][0] == Decimal("319.00"), found


ARREARS: dict[str, tuple[list[Row], dict[str, str]]] = {
    "de insurance premium: contained insurance tax, arrears, 'zu zahlender Beitrag'": (
        _with_head("Beitragsrechnung zur Kraftfahrtversicherung 11. März 2014", "MVM Versicherungsverein a.G.", [(71, 508, "Kfz-Haftpflicht SF25 (30 %) Typkl. 18", 9), _right(470, 508, "80,00 €"),
           (71, 520, "Vollkasko SF25 (30 %) Typkl. 21", 9), _right(470, 520, "140,00 €"),
           (71, 531, "vierteljährlicher Beitrag inklusive 19 % Versicherungsteuer", 9), _right(470, 531, "220,00 €"),
           (71, 543, "in diesem Beitrag enthaltene Versicherungsteuer", 9), _right(470, 543, "(35,13 €)"),
           (71, 556, "Ausstehende Forderung am Ausstellungstag (Stand 04.03.2014)", 9), _right(470, 556, "220,00 €"),
           (71, 566, "zu zahlender Beitrag", 9), _right(470, 566, "440,00 €")]),
        {"total": "220.00", "tax": "35.13", "amount_due": "440.00", "subtotal": "184.87"},
    ),
    "en utility bill: previous balance, VAT included in the charges": (
        _with_head("Invoice No. UT-5521", "Northern Power Ltd", [(60, 500, "Total charges incl. VAT", 9), _right(560, 500, "£120.00"),
           (60, 514, "includes VAT at 20%", 9), _right(560, 514, "£20.00"),
           (60, 528, "Previous balance", 9), _right(560, 528, "£45.50"),
           (60, 542, "Amount due", 9), _right(560, 542, "£165.50")]),
        {"total": "120.00", "tax": "20.00", "amount_due": "165.50", "subtotal": "100.00"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ARREARS))
def test_arrears_and_contained_tax(tmp_path: Path, name: str) -> None:
    rows, expected = ARREARS[name]
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    for field, value in expected.items():
        assert found[field][0] == Decimal(value), (name, field, found)
    assert found["subtotal"][1] < 0.9  # computed, never printed


def test_number_helpers() -> None:
    assert find_amounts("ON August 3 , 2014", ".") == []
    assert find_amounts("02 Juillet 2015 29.99", ".")[0][0] == Decimal("29.99")
    assert find_amounts("(35,13 €)", ",")[0][0] == Decimal("35.13")
    assert identifier_like("03") and identifier_like("29670869006")
    assert not identifier_like("0.00") and not identifier_like("1000")


def _sections(word: str, amount: str) -> list[Row]:
    """Two sections of items, each with its own subtotal, then the document's net amount."""
    return [
        (40, 300, "Description", 9), (300, 300, "Quantity", 9), (400, 300, "Unit Price", 9), (520, 300, amount, 9),
        (40, 320, "Beeswax XL", 9), _right(340, 320, "1.00"), _right(450, 320, "42.00"), _right(563, 320, "$ 42.00"),
        (40, 334, "Office Chair", 9), _right(340, 334, "1.00"), _right(450, 334, "70.00"), _right(563, 334, "$ 70.00"),
        (400, 350, word, 9), _right(563, 350, "$ 112.00"),
        (40, 380, "Services", 10),
        (40, 396, "Consulting hours", 9), _right(340, 396, "2.00"), _right(450, 396, "75.45"), _right(563, 396, "$ 150.90"),
        (400, 412, word, 9), _right(563, 412, "$ 150.90"),
        (400, 440, word, 9), _right(563, 440, "$ 262.90"),
    ]  # fmt: skip


@pytest.mark.parametrize(("word", "amount"), [("Subtotal", "Amount"), ("Zwischensumme", "Betrag")])
def test_section_subtotals_are_not_the_net_amount(tmp_path: Path, word: str, amount: str) -> None:
    """The line table may be read for one section only: its sum then matches that section's
    subtotal, which must never be confirmed as the document's net amount."""
    found = _amounts(
        _render(
            tmp_path / "inv.pdf",
            _with_head("Invoice INV/2023/03/0008", "Azure Interior", _sections(word, amount)),
        )
    )
    assert found["subtotal"][0] == Decimal("262.90"), found


def _margin_text(text: str, x: float = 584, top: float = 362) -> list[Row]:
    """Legal text printed up the right margin, as a text layer gives it: one character per line."""
    return [(x, top + 2.2 * i, char, 6) for i, char in enumerate(text) if char != " "]


TELECOM: dict[str, tuple[list[Row], dict[str, str]]] = {
    "fr telecom bill: € HT / € TTC summary, 'Montant de la facture' sum row, rotated margin text": (
        [(464, 322, "€ HT", 8), (524, 322, "€ TTC(*)", 8),
         (40, 337, "Montant prélevé le 16 novembre 2019", 9), _right(546, 337, "12,99"),
         (40, 359, "Vos services Telecom", 9), _right(483, 359, "10,83"), _right(546, 359, "12,99"),
         (50, 375, "Vos abonnements, forfaits et options", 8), _right(483, 375, "10,83"), _right(546, 375, "12,99"),
         (50, 388, "Vos communications (du 02/10 au 01/11)", 8), _right(483, 388, "0,00"), _right(546, 388, "0,00"),
         (40, 408, "Montant de la facture soumis à TVA", 9), _right(483, 408, "10,83"), _right(546, 408, "12,99"),
         (40, 422, "TVA 20,00 % payée sur les débits", 9), _right(556, 422, "2,17"),
         *_margin_text("039084793 RCS PARIS 397 480 930")],
        {"subtotal": "10.83", "tax": "2.17", "total": "12.99"},
    ),
    "en telecom bill: net / gross summary, 'Total' sum row, rotated margin text": (
        [(450, 322, "Net £", 8), (520, 322, "Gross £", 8),
         (40, 337, "Direct debit on 16 November 2019", 9), _right(546, 337, "30,00"),
         (40, 359, "Your plans and add-ons", 9), _right(483, 359, "20,00"), _right(546, 359, "24,00"),
         (50, 375, "Calls and data", 8), _right(483, 375, "5,00"), _right(546, 375, "6,00"),
         (40, 408, "Total of this bill", 9), _right(483, 408, "25,00"), _right(546, 408, "30,00"),
         (40, 422, "VAT 20 % on net charges", 9), _right(556, 422, "5,00"),
         *_margin_text("Registered in England 4 0 7 1 9 3 8 2")],
        {"subtotal": "25.00", "tax": "5.00", "total": "30.00"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TELECOM))
def test_summary_rows_with_text_up_the_margin(tmp_path: Path, name: str) -> None:
    rows, expected = TELECOM[name]
    found = _amounts(
        _render(tmp_path / "inv.pdf", _with_head("N° de facture : 11608848301659", "Telecom SA", rows))
    )
    for field, value in expected.items():
        assert found[field][0] == Decimal(value), (name, field, found)


@pytest.mark.parametrize(
    ("label", "amounts"),
    [
        ("Previous balance", ("Subtotal", "VAT 20%", "Total", "£25.00", "£5.00", "£30.00", "£12.00")),
        (
            "Ausstehende Forderung",
            ("Nettobetrag", "MwSt 20%", "Gesamtbetrag", "25,00 €", "5,00 €", "30,00 €", "12,00 €"),
        ),
    ],
)
def test_an_earlier_balance_without_an_amount_due_that_closes_holds_the_amount_due(
    tmp_path: Path, label: str, amounts: tuple[str, ...]
) -> None:
    net, tax, gross, *values = amounts
    rows = _with_head("Invoice No. 77", "Shop Ltd", [
        (40, 500, net, 9), _right(560, 500, values[0]), (40, 512, tax, 9), _right(560, 512, values[1]),
        (40, 524, gross, 9), _right(560, 524, values[2]), (40, 540, label, 9), _right(560, 540, values[3]),
    ])  # fmt: skip
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    assert found["total"][0] == Decimal("30.00"), found
    assert found["amount_due"][1] < 0.9, found  # the page prints no amount due that closes with it


@pytest.mark.parametrize(
    ("due_label", "total_label", "value"),
    [
        ("TOTAL AMOUNT DUE ON August 3 , 2014", "Total for this invoice", "$4.11"),
        ("Montant à payer au 3 août 2014", "Total de cette facture", "4,11 €"),
    ],
)
def test_a_total_and_an_amount_due_printed_apart_check_each_other(
    tmp_path: Path, due_label: str, total_label: str, value: str
) -> None:
    rows = _with_head("Invoice Number: 42183017", "Nimbus Web Services, Inc.", [
        (257, 145, due_label, 9), _right(570, 145, value),
        (40, 352, total_label, 9), _right(560, 352, value),
    ])  # fmt: skip
    found = _amounts(_render(tmp_path / "inv.pdf", rows))
    assert found["total"] == (Decimal("4.11"), 0.98), found
    assert found["amount_due"] == (Decimal("4.11"), 0.98), found
