"""EN 16931 in the UBL and CII readers, on the hand-written Harbour Lane trade documents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from agents.ap.controls import arithmetic_findings
from agents.ap.facts import facts_from
from agents.ap.ingest import read_invoice
from agents.ap.tolerances import MatchTolerances

TRADE = Path(__file__).resolve().parents[3] / "fixtures" / "trades" / "harbour-lane"


def _rules(name: str) -> list[str]:
    return [f.rule for f in arithmetic_findings(facts_from(read_invoice(TRADE / name)), MatchTolerances())]


def test_ubl_document_allowance_vat_breakdown_and_domestic_account() -> None:
    invoice = read_invoice(TRADE / "invoice.xml")
    assert (invoice.subtotal.value, invoice.tax.value, invoice.total.value) == (
        Decimal("1256.80"),
        Decimal("227.36"),
        Decimal("1484.16"),
    )
    assert invoice.allowance_total.value == Decimal("23.20")
    assert invoice.payable.value == Decimal("1484.16")
    assert [(row.category, row.rate, row.base, row.amount) for row in invoice.tax_breakdown] == [
        ("S", Decimal("20"), Decimal("1136.80"), Decimal("227.36")),
        ("Z", Decimal("0"), Decimal("120.00"), Decimal("0.00")),
    ]
    assert invoice.iban.value is None
    assert (invoice.bank_account.value, invoice.bank_code.value) == ("31926819", "601613")
    assert invoice.warnings == ()
    assert _rules("invoice.xml") == []


def test_cii_allowance_and_sort_code_with_account_in_one_field() -> None:
    invoice = read_invoice(TRADE / "invoice-cii.xml")
    assert invoice.allowance_total.value == Decimal("7.40")
    assert invoice.subtotal.value == Decimal("482.60")
    assert (invoice.bank_account.value, invoice.bank_code.value) == ("31926819", "601613")
    assert len(invoice.tax_breakdown) == 2
    assert _rules("invoice-cii.xml") == []


def test_total_from_payable_amount_when_tax_inclusive_is_absent() -> None:
    invoice = read_invoice(TRADE / "invoice-payable-only.xml")
    assert invoice.total.value == Decimal("1484.16")
    assert invoice.total.evidence is not None and "PayableAmount" in invoice.total.evidence.text


def test_prepaid_amount_leaves_the_due_amount() -> None:
    invoice = read_invoice(TRADE / "invoice-prepaid.xml")
    assert (invoice.prepaid.value, invoice.payable.value, invoice.total.value) == (
        Decimal("500.00"),
        Decimal("984.16"),
        Decimal("1484.16"),
    )
    assert _rules("invoice-prepaid.xml") == []


def test_amount_in_another_currency_than_the_document_is_read_uncertainly() -> None:
    invoice = read_invoice(TRADE / "invoice-total-other-currency.xml")
    assert invoice.total.confidence < 0.9
    assert any("stated in EUR" in warning for warning in invoice.warnings)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("invoice-tax-rate.xml", "math.tax_rate"),
        ("invoice-tax-sum.xml", "math.subtotal_plus_tax"),
        ("invoice-allowance-ignored.xml", "math.lines_vs_subtotal"),
    ],
)
def test_inconsistent_sums_and_rates_are_math_errors(name: str, rule: str) -> None:
    assert rule in _rules(name)


def test_tax_rate_mismatch_is_the_only_defect_of_its_perturbation() -> None:
    assert _rules("invoice-tax-rate.xml") == ["math.tax_rate"]


@pytest.mark.parametrize(
    ("name", "preceding"),
    [("credit-note.xml", "HL-2041"), ("invoice-type-381.xml", "HL-2041"), ("invoice-cii-381.xml", "HL-2042")],
)
def test_credit_notes_in_both_syntaxes_keep_their_lines_and_the_invoice_they_correct(
    name: str, preceding: str
) -> None:
    invoice = read_invoice(TRADE / name)
    assert invoice.document_type == "credit_note"
    assert invoice.lines and invoice.min_confidence(["lines"]) == 1.0
    assert invoice.preceding_invoice.value == preceding


def test_a_non_numeric_amount_is_named_and_not_guessed(tmp_path: Path) -> None:
    broken = (
        (TRADE / "invoice.xml")
        .read_text()
        .replace(
            '<cbc:TaxInclusiveAmount currencyID="GBP">1484.16<',
            '<cbc:TaxInclusiveAmount currencyID="GBP">1,484.16<',
        )
    )
    path = tmp_path / "broken.xml"
    path.write_text(broken)
    invoice = read_invoice(path)
    assert invoice.total.value is None and invoice.total.confidence == 0.0
    assert any("TaxInclusiveAmount" in warning and "not a number" in warning for warning in invoice.warnings)
