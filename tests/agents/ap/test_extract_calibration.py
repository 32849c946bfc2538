"""Confidence where the page leaves room for doubt (measured blind on held-out layouts the
extractor had not seen: such readings were wrong about half the time, so they stay under 0.8):
a label with a value of its kind both above and below it, a value read past unknown words after a
label, and a total no equation could check."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ap_drawn_pages import draw_pages

from agents.ap.extract.header_fields import Candidate
from agents.ap.extract.page_reader import read_page_invoice
from agents.ap.extract.totals_solver import solve

Row = tuple[float, float, str, float]
DOUBT = 0.8


def _render(path: Path, rows: list[Row]) -> Path:
    return draw_pages(
        path, [(40, 40, "Kranwerk Sonnenfeld GmbH", 18), (40, 700, "USt-IdNr.: DE136695976", 8), *rows]
    )


def test_a_label_between_two_values_of_its_kind_is_doubted(tmp_path: Path) -> None:
    # caption under its value, or label above the next one: the page does not say which
    rows: list[Row] = [
        (420, 150, "INV-20931", 10),
        (420, 162, "Invoice number", 7),
        (420, 176, "RX-55012", 10),
    ]
    invoice, _ = read_page_invoice(_render(tmp_path / "either.pdf", rows))
    assert invoice.invoice_number.value is None or invoice.invoice_number.confidence < DOUBT


def test_a_label_with_nothing_above_keeps_its_value_below(tmp_path: Path) -> None:
    rows: list[Row] = [(420, 150, "Invoice number", 7), (420, 162, "INV-20931", 10)]
    invoice, _ = read_page_invoice(_render(tmp_path / "stacked.pdf", rows))
    assert invoice.invoice_number.value == "INV-20931" and invoice.invoice_number.confidence >= DOUBT


def test_unknown_words_between_label_and_value_lower_confidence(tmp_path: Path) -> None:
    plain = read_page_invoice(_render(tmp_path / "a.pdf", [(40, 150, "Invoice date: 03.02.2025", 9)]))[0]
    skipped = read_page_invoice(
        _render(tmp_path / "b.pdf", [(40, 150, "Invoice date provisional estimate 03.02.2025", 9)])
    )[0]
    assert plain.invoice_date.value == skipped.invoice_date.value
    assert skipped.invoice_date.confidence < plain.invoice_date.confidence


def _candidate(value: str, confidence: float = 0.9, top: float = 100.0) -> Candidate:
    return Candidate(Decimal(value), confidence, 0, (300.0, top, 400.0, top + 10), value)


def test_a_total_no_equation_checks_stays_under_doubt() -> None:
    solved = solve({"total": [_candidate("119.00")]}, None)
    total = solved.values["total"]
    assert total is not None and total.confidence < DOUBT


def test_a_total_the_arithmetic_confirms_is_trusted() -> None:
    solved = solve(
        {"subtotal": [_candidate("100.00", top=100)], "tax": [_candidate("19.00", top=112)],
         "total": [_candidate("119.00", top=124)]},
        None,
    )  # fmt: skip
    total = solved.values["total"]
    assert total is not None and total.confidence >= 0.95


def _summary(tmp_path: Path, name: str, block: list[tuple[str, str]]) -> Path:
    rows: list[Row] = [(40, 150, "Rechnung Nr. R-2026-17 vom 03.02.2026", 12)]
    rows += [(40, 300 + 14 * i, label, 9) for i, (label, _) in enumerate(block)]
    rows += [(300, 300 + 14 * i, amount, 9) for i, (_, amount) in enumerate(block)]
    return _render(tmp_path / name, rows)


def test_a_summary_block_with_unknown_labels_is_read_by_its_arithmetic(tmp_path: Path) -> None:
    block = [("Warenbetrag gesamt", "1.000,00"), ("Steuersatz 7 %", "70,00"), ("Steuersatz 19 %", "95,00"),
             ("Schlusssumme", "1.165,00"), ("Vorauskasse", "-165,00"), ("Offen", "1.000,00")]  # fmt: skip
    invoice, _ = read_page_invoice(_summary(tmp_path, "unknown.pdf", block))
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal("1000.00"), Decimal("165.00"), Decimal("1165.00"),
    )  # fmt: skip
    assert invoice.amount_due.value == Decimal("1000.00")
    # the equation picked these values, so it cannot also vouch for them
    assert max(invoice.total.confidence, invoice.subtotal.confidence, invoice.amount_due.confidence) < DOUBT


def test_amounts_that_do_not_add_up_are_not_guessed(tmp_path: Path) -> None:
    block = [("Warenbetrag gesamt", "1.000,00"), ("Fracht", "70,00"), ("Schlusssumme", "1.234,00")]
    invoice, _ = read_page_invoice(_summary(tmp_path, "none.pdf", block))
    assert invoice.total.value is None or invoice.total.confidence < DOUBT
    assert invoice.subtotal.value is None


def test_a_payment_under_a_confirmed_total_is_read_by_its_arithmetic(tmp_path: Path) -> None:
    block = [("Summe netto", "1.000,00"), ("zzgl. 19 % USt", "190,00"), ("Bruttosumme", "1.190,00"),
             ("Gutschein eingelöst", "-300,00"), ("Verbleibt", "890,00")]  # fmt: skip
    invoice, _ = read_page_invoice(_summary(tmp_path, "paid.pdf", block))
    assert invoice.total.value == Decimal("1190.00") and invoice.total.confidence >= 0.95
    assert invoice.amount_due.value == Decimal("890.00") and invoice.amount_due.confidence < DOUBT


def test_a_labelled_amount_due_is_not_replaced_by_the_payment_rule(tmp_path: Path) -> None:
    # amount due printed before the payment that explains it ("Solde à payer 470,15 / Virement 201,00")
    block = [("Total HT", "1.000,00"), ("TVA 20 %", "200,00"), ("Total TTC", "1.200,00"),
             ("Solde à payer", "800,00"), ("Virement reçu", "400,00")]  # fmt: skip
    invoice, _ = read_page_invoice(_summary(tmp_path, "due.pdf", block))
    assert invoice.amount_due.value == Decimal("800.00")


def test_unsigned_amounts_under_a_total_are_not_taken_for_a_payment(tmp_path: Path) -> None:
    # "Solde à payer 470,15 / Virement 201,00": unsigned, the two amounts do not say which is paid
    block = [("Warenbetrag gesamt", "1.000,00"), ("Steuersatz 20 %", "200,00"), ("Schlusssumme", "1.200,00"),
             ("Offen", "800,00"), ("Überweisung", "400,00")]  # fmt: skip
    invoice, _ = read_page_invoice(_summary(tmp_path, "unsigned.pdf", block))
    assert invoice.total.value == Decimal("1200.00")
    assert invoice.amount_due.value in (None, Decimal("1200.00"))
