"""Domestic bank accounts, ERP item numbering, two-way match and caps in other currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.ap.bank_accounts import StatedAccount, on_file, split_account
from agents.ap.line_matching import po_line_for
from connectors.erp.models import BankAccount, PurchaseOrder, PurchaseOrderLine
from governance.policy import ExchangeRates, Threshold

UK = (BankAccount(account_number="31926819", bank_code="60-16-13", country="GB"),)
US = (BankAccount(account_number="123456789", bank_code="021000021", country="US"),)
GB_IBAN = (BankAccount(iban="GB29NWBK60161331926819", country="GB"),)


@pytest.mark.parametrize(
    ("account", "branch", "expected"),
    [
        ("GB29 NWBK 6016 1331 9268 19", None, StatedAccount(iban="GB29NWBK60161331926819")),
        ("31926819", "601613", StatedAccount(account_number="31926819", bank_code="601613")),
        ("60-16-13 31926819", None, StatedAccount(account_number="31926819", bank_code="601613")),
        ("021000021 123456789", None, StatedAccount(account_number="123456789", bank_code="021000021")),
    ],
)
def test_split_account(account: str, branch: str | None, expected: StatedAccount) -> None:
    assert split_account(account, branch) == expected


def test_an_account_on_file_is_found_in_either_spelling() -> None:
    domestic = StatedAccount(account_number="31926819", bank_code="601613")
    assert on_file(domestic, UK)
    assert on_file(domestic, GB_IBAN)
    assert on_file(StatedAccount(iban="GB29NWBK60161331926819"), UK)
    assert on_file(StatedAccount(account_number="123456789", bank_code="021000021"), US)


def test_another_sort_code_or_account_is_not_on_file() -> None:
    assert not on_file(StatedAccount(account_number="31926819", bank_code="200000"), UK)
    assert not on_file(StatedAccount(account_number="55779911", bank_code="601613"), UK)
    assert not on_file(StatedAccount(iban="DE89370400440532013000"), UK)


def test_a_routing_number_failing_the_aba_checksum_is_a_problem() -> None:
    assert StatedAccount(account_number="1", bank_code="021000022").problem is not None
    assert StatedAccount(account_number="1", bank_code="021000021").problem is None


def _order(*numbers: str) -> PurchaseOrder:
    lines = tuple(
        PurchaseOrderLine(
            line=n, description=f"item {n}", quantity=Decimal(1), unit="EA", unit_price=Decimal(1)
        )
        for n in numbers
    )
    return PurchaseOrder(id="PO", vendor_id="V", currency="EUR", status="open", lines=lines)


def test_order_line_references_in_the_erp_numbering() -> None:
    sap = _order("10", "20", "30")
    assert [po_line_for(sap, ref).line for ref in ("1", "2", "10", "00020", "3")] == [
        "10",
        "20",
        "10",
        "20",
        "30",
    ]  # type: ignore[union-attr]
    assert po_line_for(sap, "4") is None
    netsuite = _order("1", "2", "3")
    assert po_line_for(netsuite, "2").line == "2"  # type: ignore[union-attr]
    padded = _order("00010", "00020")
    assert po_line_for(padded, "10").line == "00010"  # type: ignore[union-attr]


def test_two_way_setting_per_order_and_per_line() -> None:
    order = _order("10").model_copy(update={"goods_receipt": False})
    assert not order.needs_receipt(order.lines[0])
    line = order.lines[0].model_copy(update={"goods_receipt": True})
    assert order.needs_receipt(line)


def test_caps_per_currency_and_through_the_rates_table() -> None:
    threshold = Threshold(
        max_amount=Decimal("10000"),
        currency="EUR",
        deny_above=Decimal("100000"),
        caps={"GBP": Decimal("8000")},
    )
    rates = ExchangeRates(base="EUR", rates={"USD": Decimal("0.92")})
    assert threshold.limits_in("EUR", rates) == (Decimal("10000"), Decimal("100000"))
    assert threshold.limits_in("GBP", rates) == (Decimal("8000"), Decimal("80000"))
    cap, ceiling = threshold.limits_in("USD", rates)  # type: ignore[misc]
    assert round(cap, 2) == Decimal("10869.57") and ceiling is not None
    assert threshold.limits_in("JPY", rates) is None


def test_a_per_currency_cap_needs_an_iso_code() -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Threshold(max_amount=Decimal("1"), currency="EUR", caps={"pounds": Decimal("1")})


def test_a_non_po_invoice_is_coded_from_the_vendors_history_and_held() -> None:
    from agents.ap.matcher import ThreeWayMatcher
    from agents.ap.register import InvoiceRegister
    from agents.ap.scenarios import load_scenarios
    from opspack.settings import FIXTURES_DIR

    cases = {
        c.id: c for c in load_scenarios(FIXTURES_DIR / "scenarios" / "ap" / "rules-currency-accounts.yaml")
    }
    coded = cases["rc-non-po-coded-from-history"]
    erp = coded.seeded_erp()
    decision = ThreeWayMatcher(erp, InvoiceRegister.from_erp_invoices(erp.invoices)).match(coded.invoice())
    assert decision.rule == "non_po.coded_from_history" and not decision.postable
    finding = decision.findings[0]
    assert (finding.data["gl_account"], finding.data["cost_center"], finding.data["uses"]) == (
        "6300",
        "CC-410",
        2,
    )
    bare = cases["rc-non-po-without-history"]
    erp = bare.seeded_erp()
    assert ThreeWayMatcher(erp, InvoiceRegister.from_erp_invoices(erp.invoices)).match(
        bare.invoice()
    ).rule == ("po.not_found")
