"""Number, date and identifier conventions of the six invoice languages, taken from CLDR (Babel) and
the national registries (schwifty, python-stdnum) rather than from examples we wrote ourselves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from agents.ap.extract.dates import find_dates, numeric_dates_month_first
from agents.ap.extract.header_fields import amount_parser
from agents.ap.extract.identifiers import find_ibans, iban_length, vat_id_valid
from agents.procurement.supplier_ids import iban_problem, vat_problem

LOCALES = ("en_GB", "en_US", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_BE", "fr_CH", "nl_NL", "nl_BE",
           "es_ES", "it_IT", "it_CH")  # fmt: skip
DAYS = (date(2025, 3, 7), date(2024, 12, 24), date(2026, 1, 31), date(2025, 8, 2))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_cldr_date_format_reads_back(locale: str) -> None:
    for day in DAYS:
        for width in ("short", "medium", "long", "full"):
            printed = format_date(day, width, locale=locale)
            found = find_dates(printed, month_first=locale == "en_US")
            assert found and found[0][0] == day, (locale, width, printed)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_cldr_amount_format_reads_back(locale: str) -> None:
    parse = amount_parser(None)
    for value in (Decimal("1234567.89"), Decimal("21737.39"), Decimal("0.50"), Decimal("999.00")):
        for printed in (
            format_decimal(value, locale=locale, format="#,##0.00"),
            format_currency(value, "EUR", locale=locale),
        ):
            parsed = parse(printed)
            assert parsed is not None and parsed[0] == value, (locale, printed)


def test_slashed_dates_are_month_first_only_when_the_document_proves_it() -> None:
    assert numeric_dates_month_first(["Invoice Date 11/03/2017", "paid 11/17/2017"])
    assert not numeric_dates_month_first(["Date 11/03/2017", "Due 17/11/2017"])
    assert not numeric_dates_month_first(["Date 11/03/2017"])  # ambiguous: the European default stays


@pytest.mark.parametrize(
    "iban",
    ["BR1800360305000010009795493C1", "SA0380000000608010167519", "AE070331234567890123456",
     "UA213223130000026007233566001", "DE89370400440532013000"],
)  # fmt: skip
def test_valid_ibans_of_every_registry_country_are_accepted(iban: str) -> None:
    assert iban_problem(iban) is None
    found = find_ibans(f"IBAN: {iban}")
    assert found and found[0][0] == iban and found[0][1]
    assert iban_length(iban[:2]) == len(iban)


@pytest.mark.parametrize("vat", ["ATU12345678", "FI12345678"])
def test_vat_ids_with_wrong_check_digits_are_refused(vat: str) -> None:
    assert vat_problem(vat) is not None
    assert not vat_id_valid(vat)


def test_vat_ids_with_right_check_digits_pass() -> None:
    for vat in ("ATU12345675", "FI12345671", "DE136695976", "FR11999999998"):
        assert vat_problem(vat) is None and vat_id_valid(vat)
