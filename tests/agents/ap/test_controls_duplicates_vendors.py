"""Controls: duplicates, bank details, vendor resolution and status, PO status, credit notes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.ap.ingest.erp_inbox import read_json
from agents.ap.invoice_numbers import normalise_invoice_number, number_similarity
from agents.ap.matcher import MatchDecision, ThreeWayMatcher
from agents.ap.register import InvoiceRegister, RegisteredInvoice
from agents.ap.vendor_resolution import normalise_name
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SupplierInvoice,
    Vendor,
)

IBAN_V1 = "DE89370400440532013000"
IBAN_V2 = "DE44500105175407324931"


def erp(status: PurchaseOrderStatus = PurchaseOrderStatus.OPEN) -> FakeERP:
    fake = FakeERP()
    fake.add_vendor(
        Vendor(
            id="V1",
            name="Müller Industrietechnik GmbH",
            tax_id="DE811569869",
            bank_accounts=(BankAccount(iban=IBAN_V1),),
        )
    )
    fake.add_vendor(
        Vendor(
            id="V2",
            name="Mueller Industrie-Technik GmbH",
            tax_id="DE811569869",
            bank_accounts=(BankAccount(iban=IBAN_V2),),
        )
    )
    fake.add_vendor(Vendor(id="V3", name="Grainger Industrial Supply", tax_id="36-1150280"))
    fake.add_vendor(Vendor(id="V4", name="Shady Components Ltd", tax_id="GB980780684", blocked=True))
    for vendor_id, po in (("V1", "PO1"), ("V2", "PO2"), ("V3", "PO3"), ("V4", "PO4")):
        fake.add_purchase_order(
            PurchaseOrder(
                id=po,
                vendor_id=vendor_id,
                currency="EUR",
                status=status,
                lines=(
                    PurchaseOrderLine(
                        line="10",
                        description="Ball bearing 6204-2RS",
                        quantity=Decimal(100),
                        unit="EA",
                        unit_price=Decimal("7.00"),
                    ),
                ),
            )
        )
        fake.add_goods_receipt(
            GoodsReceipt(
                id=f"GR{po}",
                po_id=po,
                po_line="10",
                quantity=Decimal(100),
                unit="EA",
                receipt_date=date(2024, 6, 1),
            )
        )
    return fake


def doc(**header: Any) -> dict[str, Any]:
    data = {
        "vendor_name": "Müller Industrietechnik GmbH",
        "vendor_tax_id": "DE811569869",
        "invoice_number": "MI-2024-0042",
        "po_number": "PO1",
        "currency": "EUR",
        "iban": IBAN_V1,
        "invoice_date": "2024-06-20",
        "subtotal": "70.00",
        "tax": "13.30",
        "total": "83.30",
        "lines": [
            {
                "description": "Ball bearing 6204-2RS",
                "quantity": "10",
                "unit": "EA",
                "unit_price": "7.00",
                "amount": "70.00",
                "po_line": "10",
            }
        ],
    }
    data.update(header)
    return {k: v for k, v in data.items() if v is not None}


def decide(
    data: dict[str, Any], fake: FakeERP | None = None, register: InvoiceRegister | None = None
) -> MatchDecision:
    fake = fake or erp()
    matcher = ThreeWayMatcher(
        fake, register if register is not None else InvoiceRegister.from_erp_invoices(fake.invoices)
    )
    return matcher.match(read_json(json.dumps(data).encode(), "t.json"))


def earlier(reference: str, gross: str = "83.30", day: date = date(2024, 6, 10)) -> InvoiceRegister:
    return InvoiceRegister([RegisteredInvoice("V1", reference, Decimal(gross), "EUR", day, {})])


def test_invoice_number_normalisation() -> None:
    assert normalise_invoice_number("INV-00123") == normalise_invoice_number("inv 123")
    assert normalise_invoice_number("lNV-2O24-OO12") == normalise_invoice_number("INV-2024-0012")
    assert normalise_invoice_number("INV-124") != normalise_invoice_number("INV-123")
    assert number_similarity("RE-2024-1234", "RE-2024-1243") > 80


def test_duplicate_already_in_the_erp() -> None:
    fake = erp()
    fake.add_invoice(
        SupplierInvoice(
            id="FI1",
            vendor_id="V1",
            reference="MI-2024-0042",
            invoice_date=date(2024, 6, 1),
            currency="EUR",
            gross_amount=Decimal("83.30"),
            status=InvoiceStatus.POSTED,
        )
    )
    decision = decide(doc(), fake)
    assert decision.rule == "duplicate.in_erp" and not decision.postable


@pytest.mark.parametrize(
    ("register", "rule"),
    [
        (earlier("MI/2024/42", gross="10.00", day=date(2023, 1, 1)), "duplicate.same_number"),
        (earlier("MI-2024-0043"), "duplicate.similar_number_same_amount"),
        (earlier("X-77", day=date(2024, 6, 1)), "duplicate.same_amount_near_date"),
    ],
)
def test_duplicate_suspects(register: InvoiceRegister, rule: str) -> None:
    decision = decide(doc(), register=register)
    assert [r.value for r in decision.reasons] == ["duplicate"] and decision.rule == rule


def test_not_duplicates_different_amount_or_outside_window() -> None:
    assert decide(doc(), register=earlier("MI-2024-0043", gross="90.00")).outcome == "post"
    assert decide(doc(), register=earlier("X-77", day=date(2024, 3, 1))).outcome == "post"


def test_bank_details_differing_from_master_hold() -> None:
    other = decide(doc(iban="DE02120300000000202051"))
    assert other.rule == "bank.iban_not_on_file" and other.postable
    invalid = decide(doc(iban="DE00370400440532013001"))
    assert invalid.rule == "bank.iban_invalid"
    none_on_file = decide(
        doc(
            vendor_name="Grainger Industrial Supply",
            vendor_tax_id="36-1150280",
            po_number="PO3",
            iban=IBAN_V1,
        )
    )
    assert none_on_file.reasons[0].value == "bank_change"
    assert decide(doc(iban=None)).outcome == "post"


def test_vendor_resolution_tax_id_twins_and_names() -> None:
    twin = decide(doc(vendor_name="Mueller Industrie-Technik GmbH", iban=IBAN_V2, po_number="PO2"))
    assert twin.vendor.vendor is not None and twin.vendor.vendor.id == "V2" and twin.outcome == "post"
    spaced = decide(doc(vendor_tax_id="de 811 569 869"))
    assert (
        spaced.vendor.method == "tax_id"
        and spaced.vendor.vendor is not None
        and spaced.vendor.vendor.id == "V1"
    )
    by_name = decide(
        doc(vendor_name="GRAINGER INDUSTRIAL SUPPLY INC", vendor_tax_id=None, po_number="PO3", iban=None)
    )
    assert by_name.vendor.method == "name" and by_name.outcome == "post"
    assert normalise_name("The Müller GmbH & Co. KG") == "müller"


def test_unknown_lookalike_and_blocked_vendors_are_not_posted() -> None:
    unknown = decide(doc(vendor_name="Acme Widgets Ltd", vendor_tax_id=None, iban=None))
    assert unknown.rule == "vendor.not_found" and not unknown.postable
    lookalike = decide(
        doc(vendor_name="Grainger Industrial Supply", vendor_tax_id="99-9999999", po_number="PO3", iban=None)
    )
    assert lookalike.rule == "vendor.not_found" and "tax id" in lookalike.findings[0].message
    blocked = decide(
        doc(vendor_name="Shady Components Ltd", vendor_tax_id="GB980780684", po_number="PO4", iban=None)
    )
    assert blocked.rule == "vendor.blocked" and not blocked.postable


def test_po_closed_other_vendor_fully_invoiced_and_missing() -> None:
    assert decide(doc(), erp(PurchaseOrderStatus.CLOSED)).rule == "po.closed"
    assert decide(doc(po_number="PO2")).rule == "po.other_vendor"
    full = InvoiceRegister(
        [RegisteredInvoice("V1", "MI-1", Decimal(1), "EUR", date(2023, 1, 1), {"PO1/10": Decimal(100)})]
    )
    assert decide(doc(), register=full).rule == "po.fully_invoiced"
    assert decide(doc(po_number="PO404")).rule == "po.not_found"


def test_po_found_without_a_reference_when_one_open_order_fits() -> None:
    decision = decide(doc(po_number=None))
    assert decision.outcome == "post" and decision.order is not None and decision.order.id == "PO1"


def test_a_credit_note_naming_no_invoice_is_routed_not_posted() -> None:
    decision = decide(doc(document_type="credit_note"))
    assert decision.rule == "credit_note.no_reference" and not decision.postable


def test_low_confidence_fields_escalate() -> None:
    extracted = read_json(json.dumps(doc()).encode(), "t.json")
    weak = extracted.model_copy(
        update={"invoice_number": extracted.invoice_number.model_copy(update={"confidence": 0.4})}
    )
    decision = ThreeWayMatcher(erp(), InvoiceRegister()).match(weak)
    assert decision.rule == "perception.below_confidence_threshold"
    assert decision.findings[0].data["fields"] == {"invoice_number": 0.4} and not decision.postable
