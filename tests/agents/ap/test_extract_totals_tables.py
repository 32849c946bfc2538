"""Amounts from VAT breakdowns and summary tables, per-rate tax lines, carried-forward lines, and a
total completed by its arithmetic — each drawn in layouts of the kind, not copied from one file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from ap_drawn_pages import draw_pages
from reportlab.pdfbase.pdfmetrics import stringWidth

from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.extract.rate_lines import read_rate_lines
from agents.ap.extract.summary_tables import role_of

Row = tuple[float, float, str, float, bool]
HEAD: list[Row] = [
    (40, 40, "Nordlicht Handel GmbH", 16, True),
    (40, 120, "Rechnung Nr. R-2025-77 vom 03.02.2025", 11, True),
    (40, 700, "USt-IdNr.: DE136695976", 8, False),
]


def _render(path: Path, *pages: list[Row]) -> Path:
    return draw_pages(path, *[(HEAD if number == 0 else []) + rows for number, rows in enumerate(pages)])


def _right(x: float, top: float, text: str, size: float = 8, bold: bool = False) -> Row:
    """A value right-aligned at x."""
    return (x - stringWidth(text, "Helvetica-Bold" if bold else "Helvetica", size), top, text, size, bold)


def _table(
    x0: float, top: float, captions: list[str], rows: list[list[str]], widths: list[float]
) -> list[Row]:
    """Left-aligned captions over right-aligned values, one line per row."""
    starts = [x0 + sum(widths[:i]) for i in range(len(widths))]
    out: list[Row] = [(x, top, caption, 8, True) for x, caption in zip(starts, captions, strict=True)]
    for r, row in enumerate(rows):
        out += [
            _right(x + w - 8, top + 14 * (r + 1), v) for x, w, v in zip(starts, widths, row, strict=True) if v
        ]
    return out


LAYOUTS: dict[str, tuple[list[Row], tuple[str, str, str]]] = {
    "caption column left, one column per rate, in a box at the right": (
        [(330, 290, "MwSt-Satz", 8, True), _right(450, 290, "7 %"), _right(510, 290, "19 %"), _right(570, 290, "Gesamt"),
         (330, 304, "Netto", 8, False), _right(450, 304, "100,00"), _right(510, 304, "200,00"), _right(570, 304, "300,00"),
         (330, 318, "MwSt", 8, False), _right(450, 318, "7,00"), _right(510, 318, "38,00"), _right(570, 318, "45,00"),
         (330, 332, "Brutto", 8, False), _right(450, 332, "107,00"), _right(510, 332, "238,00"), _right(570, 332, "345,00")],
        ("300.00", "45.00", "345.00"),
    ),
    "currency in the captions, rows per rate, no sum row, grand total elsewhere": (
        [*_table(40, 300, ["Btw %", "Grondslag (EUR)", "Btw (EUR)"],
                 [["21", "1.200,00", "252,00"], ["9", "300,00", "27,00"]], [80, 120, 100]),
         (330, 380, "Te betalen", 10, True), _right(560, 380, "1.779,00", 10, True)],
        ("1500.00", "279.00", "1779.00"),
    ),
    "rates with an allowance column and a sum row": (
        _table(40, 300, ["Taux", "Base HT", "Remise", "Net HT", "TVA", "TTC"],
               [["20,00 %", "1 000,00", "-100,00", "900,00", "180,00", "1 080,00"],
                ["5,50 %", "200,00", "", "200,00", "11,00", "211,00"],
                ["Total", "1 200,00", "-100,00", "1 100,00", "191,00", "1 291,00"]], [70, 80, 70, 80, 70, 90]),
        ("1100.00", "191.00", "1291.00"),
    ),
    "one captioned value row, Swiss francs with apostrophes": (
        _table(250, 300, ["Betrag exkl. MWST", "MWST 8.1 %", "Total inkl. MWST"],
               [["Fr. 1'234.50", "Fr. 100.00", "Fr. 1'334.50"]], [110, 90, 110]),
        ("1234.50", "100.00", "1334.50"),
    ),
    "per-rate tax lines naming their base, Swedish kronor": (
        [(330, 300, "Summa exkl. moms", 9, False), _right(560, 300, "10 000,00 kr", 9),
         (330, 314, "Moms 25 % på 8 000,00 kr", 9, False), _right(560, 314, "2 000,00 kr", 9),
         (330, 328, "Moms 12 % på 2 000,00 kr", 9, False), _right(560, 328, "240,00 kr", 9),
         (330, 342, "Att betala", 9, True), _right(560, 342, "12 240,00 kr", 9, True)],
        ("10000.00", "2240.00", "12240.00"),
    ),
    "per-rate tax lines in English, base after 'on'": (
        [(330, 300, "VAT 20% on £1,500.00", 9, False), _right(560, 300, "£300.00", 9),
         (330, 314, "VAT 5% on £400.00", 9, False), _right(560, 314, "£20.00", 9),
         (330, 328, "Invoice total", 9, True), _right(560, 328, "£2,220.00", 9, True)],
        ("1900.00", "320.00", "2220.00"),
    ),
    "a US summary row in a box, the rate stated in the tax caption": (
        _table(330, 300, ["Subtotal", "Sales Tax (8.875%)", "Total"], [["$1,000.00", "$88.75", "$1,088.75"]], [70, 100, 70]),
        ("1000.00", "88.75", "1088.75"),
    ),
    "Italian breakdown with a 'Totali' row and rates without a percent sign": (
        _table(60, 300, ["Aliquota", "Imponibile", "Imposta", "Totale"],
               [["22,00", "1.000,00", "220,00", "1.220,00"], ["10,00", "300,00", "30,00", "330,00"],
                ["Totali", "1.300,00", "250,00", "1.550,00"]], [70, 100, 90, 100]),
        ("1300.00", "250.00", "1550.00"),
    ),
    "French VAT table without a gross column, the amount due elsewhere": (
        [*_table(40, 300, ["Code", "Taux", "Base HT", "Montant TVA"],
                 [["1", "20,00%", "1 000,00", "200,00"], ["2", "5,50%", "100,00", "5,50"]], [40, 60, 90, 90]),
         (380, 360, "Net à payer TTC", 10, True), _right(560, 360, "1 305,50 €", 10, True)],
        ("1100.00", "205.50", "1305.50"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_summary_amounts_are_read_and_confirmed(tmp_path: Path, name: str) -> None:
    rows, (net, tax, gross) = LAYOUTS[name]
    invoice, _ = read_page_invoice(_render(tmp_path / "t.pdf", rows))
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal(net), Decimal(tax), Decimal(gross),
    )  # fmt: skip
    assert min(invoice.subtotal.confidence, invoice.tax.confidence, invoice.total.confidence) >= 0.9


def test_a_total_found_only_by_its_sum_stays_below_auto_post(tmp_path: Path) -> None:
    rows = (
        [(40, 280, "Riepilogo IVA", 9, True),
         *_table(40, 296, ["Aliquota", "Imponibile", "Imposta"],
                 [["22%", "1.000,00", "220,00"], ["10%", "500,00", "50,00"], ["4%", "250,00", "10,00"]], [70, 100, 90]),
         (380, 300, "TOTALE DA PAGARE", 10, True), _right(560, 316, "2.030,00 €", 12, True)]
    )  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "r.pdf", rows))
    assert (invoice.subtotal.value, invoice.tax.value) == (Decimal("1750.00"), Decimal("280.00"))
    assert invoice.total.value == Decimal("2030.00") and invoice.total.confidence < 0.9


def test_a_printed_gross_that_does_not_add_up_is_reported_as_printed_and_held(tmp_path: Path) -> None:
    rows = _table(
        300,
        300,
        ["Net", "VAT rate", "VAT", "Gross"],
        [["1,000.00", "20%", "200.00", "1,250.00"]],
        [70, 60, 60, 80],
    )
    invoice, _ = read_page_invoice(_render(tmp_path / "w.pdf", rows))
    assert invoice.total.value == Decimal("1250.00") and invoice.total.confidence < 0.9
    assert any("1250.00 as printed" in warning for warning in invoice.warnings)


def test_rates_and_per_rate_rows_are_never_document_amounts(tmp_path: Path) -> None:
    captions = ["MwSt-%", "Warenwert", "Nettobetrag", "MwSt-Betrag", "Endbetrag EUR"]
    rows = [["10", "500,00", "500,00", "50,00", "550,00"], ["20", "1.000,00", "900,00", "180,00", "1.080,00"],
            ["Summe", "1.500,00", "1.400,00", "230,00", "1.630,00"]]  # fmt: skip
    invoice, _ = read_page_invoice(
        _render(tmp_path / "g.pdf", _table(40, 300, captions, rows, [60, 90, 90, 90, 100]))
    )
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal("1400.00"), Decimal("230.00"), Decimal("1630.00"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("carried", "continued"),
    [("Zwischensumme Übertrag", "Übertrag"), ("Subtotal carried forward", "Brought forward"),
     ("Totale da riportare", "Riporto"), ("Suma y sigue", "Suma anterior")],
)  # fmt: skip
def test_carried_forward_subtotals_are_not_totals(tmp_path: Path, carried: str, continued: str) -> None:
    header = [
        (40, 200, "Beschreibung", 8, True),
        (300, 200, "Menge", 8, True),
        (360, 200, "Preis", 8, True),
        (480, 200, "Betrag", 8, True),
    ]
    first = [
        *header,
        (40, 214, "Schraube M8", 8, False),
        _right(330, 214, "10"),
        _right(400, 214, "12,00"),
        _right(540, 214, "120,00"),
        (330, 240, carried, 8, True),
        _right(540, 240, "120,00", 8, True),
    ]
    last = [
        *header,
        (40, 214, continued, 8, True), _right(540, 214, "120,00", 8, True),
        (40, 228, "Mutter M8", 8, False), _right(330, 228, "10"), _right(400, 228, "8,00"), _right(540, 228, "80,00"),
        (330, 284, "zzgl. 19 % USt.", 9, False), _right(540, 284, "38,00", 9),
        (330, 298, "Rechnungsbetrag", 9, True), _right(540, 298, "238,00", 9, True),
    ]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "c.pdf", first, last))
    assert (invoice.tax.value, invoice.total.value) == (Decimal("38.00"), Decimal("238.00"))
    assert invoice.subtotal.value != Decimal("120.00")
    assert not invoice.warnings  # no failed equation with a running subtotal in it


@pytest.mark.parametrize(
    ("caption", "role"),
    [("BASE IMPONIBLE", "net"), ("% IVA", "rate"), ("CUOTA IVA", "tax"), ("TOTAL IVA", "tax"), ("TOTAL FACTURA", "gross"),
     ("Aliquota IVA (%)", "rate"), ("Importo totale imponibile", "net"), ("Totale documento", "gross"),
     ("MwSt-Satz", "rate"), ("Brutto", "gross"), ("Rabatt 5 %", "allowance"), ("Sales Tax (8.875%)", "tax"),
     ("Total exkl. MWST", "net"), ("Total inkl. MWST", "gross"), ("Montant HT", "net"), ("Divisa", None)],
)  # fmt: skip
def test_caption_roles(caption: str, role: str | None) -> None:
    assert role_of(caption) == role


def test_a_line_item_with_a_rate_is_no_rate_line(tmp_path: Path) -> None:
    rows: list[Row] = [(40, 300, "Widget 19 %", 8, False), _right(400, 300, "2"), _right(540, 300, "100,00")]
    pages = _render(tmp_path / "l.pdf", rows)
    from agents.ap.extract.page_reader import read_pages

    assert read_rate_lines(read_pages(pages)[0], ",") == []


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["10 000,00", "21 %", "2 100,00", "12 100,00"]], ("10000.00", "2100.00", "12100.00")),
        ([["1 000,00", "21 %", "210,00", "1 210,00"], ["500,00", "12 %", "60,00", "560,00"]], ("1500.00", "270.00", "1770.00")),
        ([["1 000,00", "21 %", "210,00", "1 210,00"], ["500,00", "12 %", "60,00", "560,00"],
          ["1 500,00", "", "270,00", "1 770,00"]], ("1500.00", "270.00", "1770.00")),
    ],
)  # fmt: skip
def test_an_unlabelled_summary_row_is_read_by_its_arithmetic_below_auto_post(
    tmp_path: Path, rows: list[list[str]], expected: tuple[str, str, str]
) -> None:
    captions = ["Základ", "Sazba", "DPH", "Celkem"]  # captions the vocabulary does not know
    invoice, _ = read_page_invoice(
        _render(tmp_path / "u.pdf", _table(200, 300, captions, rows, [90, 60, 80, 100]))
    )
    values = (invoice.subtotal.value, invoice.tax.value, invoice.total.value)
    assert values == tuple(Decimal(v) for v in expected)
    assert max(invoice.subtotal.confidence, invoice.tax.confidence, invoice.total.confidence) < 0.9


@pytest.mark.parametrize(
    ("printed", "value"),
    [("Fr.1'234.50", "1234.50"), ("1.234,50kr", "1234.50"), ("1 234,50 SEK", "1234.50"), ("kr. 1.234,50", "1234.50"),
     ("DKK 1.234,50", "1234.50"), ("NOK 1 234,50", "1234.50"), ("CHF 1'234.50", "1234.50")],
)  # fmt: skip
def test_currency_words_beside_amounts(printed: str, value: str) -> None:
    from agents.ap.extract.header_fields import amount_parser

    for separator in (",", ".", None):
        parsed = amount_parser(separator)(f"Total {printed}")
        assert parsed is not None and parsed[0] == Decimal(value)


@pytest.mark.parametrize(
    ("discount_label", "discount", "pay_label", "pay"),
    [("abzgl. 2 % Skonto bei Zahlung bis 10.03.2025", "24,28", "Zahlbetrag bei Skonto", "1.189,52"),
     ("Escompte 2 % si paiement avant le 10/03/2025", "24,28", "Net à payer avec escompte", "1.189,52"),
     ("Early payment discount 2% if paid by 10/03/2025", "24.28", "Amount due if paid early", "1,189.52")],
)  # fmt: skip
def test_an_early_payment_discount_is_not_the_amount_due(
    tmp_path: Path, discount_label: str, discount: str, pay_label: str, pay: str
) -> None:
    comma = "," in discount
    amounts = ["1.020,00", "193,80", "1.213,80"] if comma else ["1,020.00", "193.80", "1,213.80"]
    labels = (
        ["Nettobetrag", "MwSt 19 %", "Gesamtbetrag"] if comma else ["Net amount", "VAT 19%", "Invoice total"]
    )
    rows: list[Row] = []
    for i, (label, value) in enumerate(
        [*zip(labels, amounts, strict=True), (discount_label, discount), (pay_label, pay)]
    ):
        rows += [(300, 300 + 14 * i, label, 9, False), _right(560, 300 + 14 * i, value, 9)]
    invoice, _ = read_page_invoice(_render(tmp_path / "s.pdf", rows))
    assert invoice.total.value == Decimal("1213.80") and invoice.amount_due.value == Decimal("1213.80")


@pytest.mark.parametrize(
    "lines",
    [
        [
            ("Subtotal", "$1,000.00"),
            ("Sales Tax (8%)", "$80.00"),
            ("Shipping", "$25.00"),
            ("Total", "$1,105.00"),
        ],
        [("Subtotal", "$1,000.00"), ("Freight", "$25.00"), ("Tax", "$80.00"), ("Amount due", "$1,105.00")],
    ],
)
def test_a_charge_in_the_totals_block_closes_the_sum(tmp_path: Path, lines: list[tuple[str, str]]) -> None:
    rows: list[Row] = []
    for i, (label, value) in enumerate(lines):
        rows += [(330, 300 + 14 * i, label, 9, False), _right(560, 300 + 14 * i, value, 9)]
    invoice, _ = read_page_invoice(_render(tmp_path / "c.pdf", rows))
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal("1000.00"), Decimal("80.00"), Decimal("1105.00"),
    )  # fmt: skip
    assert min(invoice.subtotal.confidence, invoice.tax.confidence, invoice.total.confidence) >= 0.9


def test_a_vat_rate_column_the_line_header_does_not_name_is_no_price(tmp_path: Path) -> None:
    header = ["Pos.", "Bezeichnung", "Menge", "Preis", "MWST", "Betrag CHF"]
    xs = [40, 70, 300, 370, 430, 500]
    rows: list[Row] = [(x, 270, label, 8, True) for x, label in zip(xs, header, strict=True)]
    rows += [(40, 286, "1", 8, False), (70, 286, "Montagearbeiten", 8, False), _right(330, 286, "2"),
             _right(410, 286, "714.38"), (430, 286, "8.1%", 8, False), _right(560, 286, "1’428.76")]  # fmt: skip
    invoice, _ = read_page_invoice(_render(tmp_path / "m.pdf", rows))
    line = invoice.lines[0]
    assert (line.quantity.value, line.unit_price.value, line.amount.value) == (
        Decimal("2"), Decimal("714.38"), Decimal("1428.76"),
    )  # fmt: skip
    assert not any("×" in warning for warning in invoice.warnings)
