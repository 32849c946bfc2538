"""Credit notes over the Governor: booked as credit memos against the original invoice (operation
``erp.post_credit_memo``, its own cap, nothing paid), held when they cannot be, bound and re-read."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents.ap.agent import APAgent
from agents.ap.register import InvoiceRegister, RegisteredInvoice
from agents.performers import ERPPerformer
from connectors.erp.fake import FakeERP
from connectors.erp.models import (
    BankAccount,
    GoodsReceipt,
    InvoiceDraft,
    InvoiceLine,
    InvoiceStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SupplierInvoice,
    Vendor,
)
from governance.action import Action
from governance.operations import derive, judged_amount, spec_for
from governance.policy import load_policy
from governance.runtime import Governor
from governance.store import Store
from opspack.settings import policy_path

IBAN = "DE02120300000000202051"
NOW = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
CHAIR = Decimal("250.00")


def company() -> FakeERP:
    erp = FakeERP()
    erp.add_vendor(
        Vendor(
            id="V1",
            name="Bürobedarf Schneider KG",
            tax_id="DE136695976",
            bank_accounts=(BankAccount(iban=IBAN),),
        )
    )
    erp.add_vendor(Vendor(id="V2", name="Keller Logistik AG", tax_id="DE129273398"))
    erp.add_purchase_order(
        PurchaseOrder(
            id="PO1",
            vendor_id="V1",
            currency="EUR",
            status=PurchaseOrderStatus.OPEN,
            lines=(
                PurchaseOrderLine(
                    line="10",
                    description="Ergonomic office chair",
                    quantity=Decimal(200),
                    unit="EA",
                    unit_price=CHAIR,
                ),
            ),
        )
    )
    erp.add_goods_receipt(
        GoodsReceipt(
            id="GR1",
            po_id="PO1",
            po_line="10",
            quantity=Decimal(200),
            unit="EA",
            receipt_date=date(2024, 6, 1),
        )
    )
    return erp


def write(folder: Path, name: str, quantity: int, **header: Any) -> Path:
    amount = Decimal(quantity) * CHAIR
    tax = (amount * Decimal("0.19")).quantize(Decimal("0.01"))
    data = {
        "vendor_name": "Bürobedarf Schneider KG",
        "vendor_tax_id": "DE136695976",
        "invoice_number": name,
        "po_number": "PO1",
        "currency": "EUR",
        "iban": IBAN,
        "invoice_date": "2024-06-20",
        "due_date": "2024-07-20",
        "subtotal": str(amount),
        "tax": str(tax),
        "total": str(amount + tax),
        "lines": [
            {
                "description": "Ergonomic office chair",
                "quantity": str(quantity),
                "unit": "EA",
                "unit_price": str(CHAIR),
                "amount": str(amount),
                "po_line": "10",
            }
        ],
    }
    data.update(header)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def credit(folder: Path, name: str, quantity: int, original: str | None, **header: Any) -> Path:
    extra: dict[str, Any] = {"document_type": "credit_note", "invoice_date": "2024-06-25"}
    if original is not None:
        extra["preceding_invoice"] = original
    return write(folder, name, quantity, **{**extra, **header})


def governor_over(erp: FakeERP, tmp_path: Path) -> Governor:
    return Governor(
        load_policy(policy_path()),
        Store(f"sqlite:///{tmp_path / 'ap.db'}"),
        {"sap": ERPPerformer(erp)},
        clock=lambda: NOW,
    )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[APAgent, FakeERP, Governor]:
    erp = company()
    governor = governor_over(erp, tmp_path)
    return APAgent(governor, erp, system="sap"), erp, governor


def test_a_credit_note_is_posted_as_a_credit_memo_against_its_invoice_and_nothing_is_paid(
    setup: tuple[APAgent, FakeERP, Governor], tmp_path: Path
) -> None:
    agent, erp, governor = setup
    original = agent.process(write(tmp_path, "BS-1", 4))
    assert original.status == "posted" and len(erp.payments) == 1
    result = agent.process(credit(tmp_path, "BS-CN-1", 1, "BS-1"))
    assert (result.status, result.decision, result.rule) == ("posted", "post", "credit_note.against_original")
    memo = erp.get_invoice(str(result.document_id))
    assert memo.credit_memo and memo.credit_for == original.document_id
    assert memo.gross_amount == Decimal("297.50") and memo.vendor_id == "V1" and memo.currency == "EUR"
    assert [(line.po_id, line.po_line, line.quantity) for line in memo.lines] == [("PO1", "10", Decimal(1))]
    assert len(erp.payments) == 1, "nothing is paid for a credit memo"
    verdicts = governor.ledger.records(result.transaction_id, kind="verdict")
    assert [v.payload["action"]["operation"] for v in verdicts] == ["erp.post_credit_memo"]


def test_credits_add_up_to_the_original_and_no_further_even_after_a_restart(
    setup: tuple[APAgent, FakeERP, Governor], tmp_path: Path
) -> None:
    agent, erp, governor = setup
    agent.process(write(tmp_path, "BS-2", 4))  # 1 190.00
    assert agent.process(credit(tmp_path, "BS-CN-2", 1, "BS-2")).status == "posted"
    over = agent.process(credit(tmp_path, "BS-CN-3", 4, "BS-2"))  # 1 190.00 > 892.50 left
    assert over.status == "held" and over.rule == "credit_note.exceeds_remaining"
    assert over.reasons == ("credit_note",) and erp.find_invoice("V1", "BS-CN-3") is None
    assert agent.process(credit(tmp_path, "BS-CN-4", 3, "BS-2")).status == "posted"  # exactly what is left
    restarted = APAgent(governor, erp, system="sap")  # the register is rebuilt from the ledger
    again = restarted.process(credit(tmp_path, "BS-CN-5", 1, "BS-2"))
    assert again.status == "held" and again.rule == "credit_note.original_fully_credited"


@pytest.mark.parametrize(
    ("original", "header", "rule"),
    [
        ("BS-404", {}, "credit_note.original_not_found"),
        (None, {}, "credit_note.no_reference"),
        ("BS-7", {"currency": "USD"}, "credit_note.currency_differs"),
        ("KL-1", {}, "credit_note.original_other_vendor"),
    ],
)
def test_credit_notes_that_cannot_be_booked_are_held_without_touching_the_erp(
    tmp_path: Path, original: str | None, header: dict[str, Any], rule: str
) -> None:
    erp = company()
    erp.add_invoice(
        SupplierInvoice(
            id="FI-KL1",
            vendor_id="V2",
            reference="KL-1",
            invoice_date=date(2024, 6, 1),
            currency="EUR",
            gross_amount=Decimal("2000.00"),
            status=InvoiceStatus.POSTED,
        )
    )
    governor = governor_over(erp, tmp_path)
    agent = APAgent(governor, erp, system="sap", register=InvoiceRegister.from_erp_invoices(erp.invoices))
    agent.process(write(tmp_path, "BS-7", 4))
    before = list(erp.invoices)
    result = agent.process(credit(tmp_path, "BS-CN-7", 1, original, **header))
    assert (result.status, result.decision, result.reasons, result.rule) == (
        "held",
        "hold",
        ("credit_note",),
        rule,
    )
    assert erp.invoices == before and governor.ledger.records(result.transaction_id, kind="verdict") == []
    escalation = governor.ledger.records(result.transaction_id, kind="escalation")[0].payload
    assert escalation["rule"] == rule and escalation["route"]["queue"] == "ap-clerks"


def test_a_credit_against_an_invoice_on_hold_waits_for_the_clerk(
    setup: tuple[APAgent, FakeERP, Governor], tmp_path: Path
) -> None:
    agent, erp, _ = setup
    held = agent.process(write(tmp_path, "BS-8", 4, iban="DE89370400440532013000"))  # bank change: on hold
    assert erp.get_invoice(str(held.document_id)).status is InvoiceStatus.ON_HOLD
    result = agent.process(credit(tmp_path, "BS-CN-8", 1, "BS-8"))
    assert result.status == "held" and result.rule == "credit_note.original_not_posted"


def test_a_credit_over_the_credit_cap_awaits_approval_then_posts_once(
    setup: tuple[APAgent, FakeERP, Governor], tmp_path: Path
) -> None:
    agent, erp, governor = setup
    agent.process(write(tmp_path, "BS-9", 60))  # 17 850 EUR posted (its payment waits for approval)
    path = credit(tmp_path, "BS-CN-9", 40, "BS-9")  # 11 900 EUR > the 10 000 EUR credit cap
    result = agent.process(path)
    assert result.status == "awaiting_approval" and "over_threshold" in result.gate_reasons
    assert result.reasons == ("over_threshold",) and erp.find_invoice("V1", "BS-CN-9") is None
    governor.approve(str(result.approval_id), "alice", "returned chairs counted")
    posted = agent.process(path)
    assert posted.resumed and posted.status == "posted"
    assert agent.process(path).document_id == posted.document_id
    assert [i.reference for i in erp.invoices if i.credit_memo] == ["BS-CN-9"]


def _credit_action(draft: InvoiceDraft, **explicit: Any) -> Action:
    return Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.post_credit_memo",
        target=draft.vendor_id,
        params={"invoice": draft.model_dump(mode="json")},
        business_key=f"ap-invoice:{draft.vendor_id}:{draft.reference}",
        **explicit,
    )


def _draft(original_id: str, **changes: Any) -> InvoiceDraft:
    values: dict[str, Any] = {
        "vendor_id": "V1",
        "reference": "BS-CN-X",
        "invoice_date": date(2024, 6, 25),
        "currency": "EUR",
        "gross_amount": Decimal("297.50"),
        "tax_amount": Decimal("47.50"),
        "lines": (
            InvoiceLine(
                description="chair",
                quantity=Decimal(1),
                unit_price=CHAIR,
                amount=CHAIR,
                po_id="PO1",
                po_line="10",
            ),
        ),
        "credit_memo": True,
        "credit_for": original_id,
    }
    return InvoiceDraft(**{**values, **changes})


def test_the_credit_operation_is_bound_to_its_draft() -> None:
    spec = spec_for("erp.post_credit_memo")
    assert spec.credit and spec.money
    draft = _draft("FI1")
    bound = derive("erp.post_credit_memo", {"invoice": draft.model_dump(mode="json")}, "V1")
    assert (bound.amount, bound.currency, bound.counterparty) == (Decimal("297.50"), "EUR", "V1")
    assert judged_amount("erp.post_credit_memo", Decimal("-5")) == Decimal("5")
    with pytest.raises(ValueError, match="disagrees with what is written"):
        _credit_action(draft, amount=Decimal("10.00"))
    with pytest.raises(ValueError, match="disagrees with what is written"):
        _credit_action(draft, counterparty="V2")


def test_the_performer_re_reads_the_original_and_refuses_what_it_would_not_credit(
    setup: tuple[APAgent, FakeERP, Governor], tmp_path: Path
) -> None:
    agent, erp, governor = setup
    original = str(agent.process(write(tmp_path, "BS-10", 4)).document_id)
    other_currency = governor.submit(_credit_action(_draft(original, currency="USD")), transaction_id="t-usd")
    assert other_currency.status == "failed" and "in EUR" in other_currency.message
    not_a_credit = governor.submit(
        _credit_action(_draft(original, reference="BS-CN-Y", credit_memo=False)), transaction_id="t-inv"
    )
    assert not_a_credit.status == "failed" and "credit_memo" in not_a_credit.message
    erp.add_invoice(
        SupplierInvoice(
            id="FI-OTHER",
            vendor_id="V2",
            reference="KL-9",
            invoice_date=date(2024, 6, 1),
            currency="EUR",
            gross_amount=Decimal("900.00"),
            status=InvoiceStatus.POSTED,
        )
    )
    foreign = governor.submit(_credit_action(_draft("FI-OTHER", reference="BS-CN-Z")), transaction_id="t-v2")
    assert foreign.status == "failed"
    assert not any(i.credit_memo for i in erp.invoices)
    good = governor.submit(_credit_action(_draft(original, reference="BS-CN-OK")), transaction_id="t-ok")
    assert good.status == "executed" and erp.get_invoice(str(good.document_id)).credit_for == original


def test_the_register_keeps_credits_apart_from_invoices() -> None:
    invoice = SupplierInvoice(
        id="FI1",
        vendor_id="V1",
        reference="BS-1",
        invoice_date=date(2024, 6, 1),
        currency="EUR",
        gross_amount=Decimal("1190.00"),
        status=InvoiceStatus.POSTED,
    )
    memo = invoice.model_copy(
        update={
            "id": "FI2",
            "reference": "BS-CN-1",
            "gross_amount": Decimal("297.50"),
            "credit_memo": True,
            "credit_for": "FI1",
        }
    )
    register = InvoiceRegister.from_erp_invoices([invoice, memo])
    assert [i.reference for i in register.for_vendor("V1")] == ["BS-1"]
    assert [c.reference for c in register.credits_against("V1", "bs 1")] == ["BS-CN-1"]
    entry = register.credits_against("V1", "BS-1")[0]
    assert RegisteredInvoice.from_dict(entry.as_dict()) == entry and len(register) == 2
    assert register.vendors_with_invoice("BS1") == ["V1"]
