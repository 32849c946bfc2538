"""Tax-id and IBAN checks against published valid examples and single-digit corruptions."""

from __future__ import annotations

import pytest

from agents.procurement.supplier_ids import ein_problem, iban_problem, tax_id_problem, vat_problem

# valid examples from python-stdnum's documentation
VALID_VAT = [
    "DE136695976", "FR40303265045", "NL004495445B01", "IT00743110157", "BE0403019261", "GB980780684",
    "LU15027442", "PL8567346215", "DK13585628", "ATU13585627", "ESB58378431", "ESA79252219", "ES54362315K",
]  # fmt: skip


@pytest.mark.parametrize("vat", VALID_VAT)
def test_valid_vat_numbers_pass(vat: str) -> None:
    assert vat_problem(vat) is None


@pytest.mark.parametrize("vat", [v for v in VALID_VAT if v[:2] not in ("AT", "ES", "NL")])
def test_changing_the_last_digit_fails_the_check(vat: str) -> None:
    corrupted = vat[:-1] + str((int(vat[-1]) + 1) % 10)
    assert "check digit" in (vat_problem(corrupted) or "")


@pytest.mark.parametrize(
    ("vat", "country", "message"),
    [
        ("FR4030326504", None, "does not have the FR format"),
        ("DE0123456789", None, "does not have the DE format"),
        ("XX123", None, "unknown VAT prefix"),
        ("811569869", "DE", "must start with the country prefix DE"),
        ("DE811569869", "FR", "does not match the vendor's country FR"),
        ("ES54362315Z", None, "fails its check digit"),
    ],
)
def test_vat_problems_are_named(vat: str, country: str | None, message: str) -> None:
    assert message in (vat_problem(vat, country) or "")


def test_netherlands_checks_the_rsin_not_the_suffix() -> None:
    assert "check digit" in (vat_problem("NL004495446B01") or "")
    assert "check digit" in (vat_problem("NL004495445B00") or "")  # suffix 00 is never issued


def test_greece_uses_el_and_format_only_prefixes() -> None:
    assert vat_problem("EL094259216", "GR") is None
    assert vat_problem("SE123456789001") is None  # format only: no checksum implemented for SE


def test_iban() -> None:
    assert iban_problem("DE89 3704 0044 0532 0130 00") is None
    assert iban_problem("GB29NWBK60161331926819") is None
    assert "mod-97" in (iban_problem("DE89370400440532013001") or "")
    assert "22 characters" in (iban_problem("DE8937040044053201300") or "")
    assert "not an IBAN country" in (iban_problem("US12345678901234567") or "")


def test_ein() -> None:
    assert ein_problem("36-1150280") is None and ein_problem("361150280") is None
    assert "never issued" in (ein_problem("07-1234567") or "")
    assert "NN-NNNNNNN" in (ein_problem("36-115028") or "")
    assert tax_id_problem("07-1234567", "US") is not None
    assert tax_id_problem("ABN 51 824 753 556", "AU") is None  # no rule for the country: not judged
