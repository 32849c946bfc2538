"""Per-line three-way matching: tolerances, partial and split receipts, cumulative billing, units."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.ap.ingest.erp_inbox import read_json
from agents.ap.matcher import MatchDecision, ThreeWayMatcher
from agents.ap.register import InvoiceRegister, RegisteredInvoice
from agents.ap.tolerances import MatchTolerances, ToleranceError, within
from agents.ap.units import canonical_unit, conversion_factor
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Vendor,
)

IBAN = "DE02120300000000202051"


def company(receipts: dict[str, list[int]] | None = None) -> FakeERP:
    erp = FakeERP()
    erp.add_vendor(
        Vendor(
            id="V1",
            name="Bürobedarf Schneider KG",
            tax_id="DE136695976",
            bank_accounts=(BankAccount(iban=IBAN),),
        )
    )
    erp.add_purchase_order(
        PurchaseOrder(
            id="PO1",
            vendor_id="V1",
            currency="EUR",
            status=PurchaseOrderStatus.OPEN,
            lines=(
                PurchaseOrderLine(
                    line="10",
                    description="Copy paper A4 80g",
                    quantity=Decimal(100),
                    unit="PAK",
                    unit_price=Decimal("4.20"),
                ),
                PurchaseOrderLine(
                    line="20",
                    description="Toner cartridge black HP 59A",
                    quantity=Decimal(24),
                    unit="EA",
                    unit_price=Decimal("98.00"),
                ),
            ),
        )
    )
    for line, quantities in (receipts if receipts is not None else {"10": [100], "20": [24]}).items():
        for n, quantity in enumerate(quantities):
            erp.add_goods_receipt(
                GoodsReceipt(
                    id=f"GR{line}{n}",
                    po_id="PO1",
                    po_line=line,
                    quantity=Decimal(quantity),
                    unit="PAK" if line == "10" else "EA",
                    receipt_date=date(2024, 6, 1),
                )
            )
    return erp


def invoice(lines: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    net = sum(
        Decimal(str(line["amount"])) * (-1 if "Discount" in line["description"] else 1) for line in lines
    )
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    data = {
        "vendor_name": "Bürobedarf Schneider KG",
        "vendor_tax_id": "DE136695976",
        "invoice_number": "BS-1001",
        "po_number": "PO1",
        "currency": "EUR",
        "iban": IBAN,
        "invoice_date": "2024-06-20",
        "subtotal": str(net),
        "tax": str(tax),
        "total": str(net + tax),
        "lines": lines,
    }
    data.update(header)
    return data


def line(
    qty: Any, price: Any, po_line: str | None = "10", unit: str = "PAK", text: str = "Copy paper A4 80g"
) -> dict[str, Any]:
    amount = (Decimal(str(qty)) * Decimal(str(price))).quantize(Decimal("0.01"))
    data = {
        "description": text,
        "quantity": str(qty),
        "unit": unit,
        "unit_price": str(price),
        "amount": str(amount),
    }
    if po_line is not None:
        data["po_line"] = po_line
    return data


def decide(
    data: dict[str, Any],
    erp: FakeERP | None = None,
    register: InvoiceRegister | None = None,
    **tolerances: Any,
) -> MatchDecision:
    extracted = read_json(json.dumps(data).encode(), "test.json")
    matcher = ThreeWayMatcher(erp or company(), register or InvoiceRegister(), MatchTolerances(**tolerances))
    return matcher.match(extracted)


def codes(decision: MatchDecision) -> list[str]:
    return [reason.value for reason in decision.reasons]


def test_clean_full_match_posts() -> None:
    decision = decide(
        invoice([line(100, "4.20"), line(24, "98.00", "20", "EA", "Toner cartridge black HP 59A")])
    )
    assert decision.outcome == "post" and decision.rule == "three_way_match.clean"
    assert [m.paired_by for m in decision.lines] == ["reference", "reference"]


@pytest.mark.parametrize(
    ("price", "expected"),
    [("4.20", []), ("4.25", []), ("4.40", ["price_variance"]), ("4.00", [])],
)
def test_price_tolerance_percent_and_absolute(price: str, expected: list[str]) -> None:
    # 4.25 is +1.2 % and 5.00 over 100 packs: inside both limits; 4.40 is +4.8 %.
    decision = decide(invoice([line(100, price)]))
    assert codes(decision) == expected


def test_absolute_price_limit_applies_even_when_percentage_passes() -> None:
    decision = decide(invoice([line(100, "4.25")]), price_abs=Decimal("2.00"))
    assert codes(decision) == ["price_variance"]
    finding = decision.findings[0]
    assert finding.rule == "line.price_above_tolerance" and finding.data["variance_value"] == "5.00"


def test_partial_delivery_billed_partially_is_clean_but_more_than_received_is_not() -> None:
    erp = company({"10": [60], "20": [24]})
    assert decide(invoice([line(60, "4.20")]), erp).outcome == "post"
    over = decide(invoice([line(70, "4.20")]), erp)
    assert codes(over) == ["quantity_variance"] and over.rule == "line.quantity_above_received"


def test_several_receipts_per_line_are_summed() -> None:
    erp = company({"10": [30, 30, 40], "20": [24]})
    decision = decide(invoice([line(100, "4.20")]), erp)
    assert decision.outcome == "post" and decision.lines[0].received == Decimal(100)


def test_cumulative_invoicing_across_invoices_is_checked() -> None:
    register = InvoiceRegister(
        [
            RegisteredInvoice(
                "V1", "BS-0999", Decimal("299.88"), "EUR", date(2024, 5, 1), {"PO1/10": Decimal(60)}
            )
        ]
    )
    assert decide(invoice([line(40, "4.20")]), register=register).outcome == "post"
    over = decide(invoice([line(41, "4.20")]), register=register)
    assert codes(over) == ["quantity_variance"] and over.rule == "line.over_billed"
    assert over.lines[0].previously_invoiced == Decimal(60)


def test_no_receipt_holds() -> None:
    decision = decide(invoice([line(10, "4.20")]), company({}))
    assert codes(decision) == ["no_receipt"] and decision.rule == "line.no_goods_receipt"


def test_units_convert_dozens_and_synonyms() -> None:
    assert canonical_unit("pce") == "EA" and canonical_unit("C62") == "EA" and canonical_unit("HUR") == "H"
    assert conversion_factor("DZN", "EA") == 12 and conversion_factor("KGM", "EA") is None
    dozens = decide(invoice([line(2, "1176.00", "20", "DZN", "Toner cartridge black HP 59A")]))
    assert dozens.outcome == "post" and dozens.lines[0].quantity_in_po_unit == Decimal(24)
    unconvertible = decide(invoice([line(2, "98.00", "20", "KGM", "Toner cartridge black HP 59A")]))
    assert unconvertible.rule == "line.unit_not_convertible"


def test_lines_without_po_line_are_paired_by_text_and_unknown_lines_are_variances() -> None:
    paired = decide(invoice([line(24, "98.00", None, "EA", "TONER CARTRIDGE HP 59A black")]))
    assert paired.outcome == "post" and paired.lines[0].paired_by == "description"
    stranger = decide(invoice([line(100, "4.20"), line(3, "95.00", None, "H", "On-site installation")]))
    assert codes(stranger) == ["quantity_variance"] and "line.not_on_po" in [
        f.rule for f in stranger.findings
    ]


def test_freight_and_discount_lines() -> None:
    freight = {"description": "Freight", "quantity": "1", "unit_price": "20.00", "amount": "20.00"}
    discount = {"description": "Discount 2%", "quantity": "1", "unit_price": "8.40", "amount": "8.40"}
    assert decide(invoice([line(100, "4.20"), freight, discount])).outcome == "post"
    big = {"description": "Freight express", "quantity": "1", "unit_price": "120.00", "amount": "120.00"}
    held = decide(invoice([line(100, "4.20"), big]))
    assert held.rule == "charge.unplanned_above_limit"


def test_currency_must_match_the_po() -> None:
    decision = decide(invoice([line(100, "4.20")], currency="USD"))
    assert codes(decision) == ["price_variance"] and decision.rule == "po.currency_differs"


def test_invoice_arithmetic() -> None:
    lines = [line(100, "4.20")]
    assert decide(invoice(lines, subtotal="430.00", total="511.70")).rule == "math.lines_vs_subtotal"
    assert decide(invoice(lines, total="505.00")).rule == "math.subtotal_plus_tax"
    wrong_line = dict(line(100, "4.20"), amount="402.00")
    decision = decide(invoice([wrong_line]))
    assert decision.rule == "math.line_amount" and decision.primary is not None


def test_tolerances_validate_and_within() -> None:
    assert within(Decimal(1), Decimal(100), pct=Decimal(2), absolute=None)
    assert not within(Decimal(3), Decimal(100), pct=Decimal(2), absolute=None)
    assert within(Decimal(3), Decimal(100), pct=None, absolute=None)
    assert not within(Decimal(1), Decimal(0), pct=Decimal(2), absolute=None)
    with pytest.raises(ToleranceError, match="price_pct"):
        MatchTolerances.from_mapping({"price_pct": "lots"})
    with pytest.raises(ToleranceError, match="unknown_key"):
        MatchTolerances.from_mapping({"unknown_key": 1})
