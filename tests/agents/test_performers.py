"""Performers map governed operations onto connector calls and answer the reconcile question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from agents.performers import (
    CRMPerformer,
    DirectoryPerformer,
    ERPPerformer,
    ITSMPerformer,
    UnsupportedOperation,
    performer_for,
)
from connectors.crm.fake import FakeCRM
from connectors.directory.fake import FakeDirectory
from connectors.directory.models import ResetResult
from connectors.erp.fake import FakeERP
from connectors.errors import OutcomeUnknownError, ServerError
from connectors.itsm.fake import FakeITSM
from connectors.itsm.models import NewTicket
from governance.action import Action
from governance.errors import ExecutionError
from governance.operations import bank_account_keys


def act(operation: str, target: str = "", **params: Any) -> Action:
    return Action(
        agent="a",
        system="s",
        operation=operation,
        target=target,
        params=params,
        business_key=f"{operation}/{target}",
    )


def test_erp_post_invoice_then_reconcile_finds_it() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    invoice = {
        "vendor_id": "V08",
        "reference": "RE-T-1",
        "invoice_date": "2026-11-20",
        "currency": "EUR",
        "gross_amount": "100.00",
    }
    action = act("erp.post_invoice", "V08", invoice=invoice)
    assert performer.reconcile(action) is None
    done = performer.perform(action)
    again = performer.reconcile(action)
    assert again is not None and again.document_id == done.document_id
    assert again.detail["reconciled"] is True


def payment_of(erp: FakeERP, invoice_id: str, **changes: Any) -> Action:
    """A payment judged for exactly what the ERP invoice and the vendor master say."""
    invoice = erp.get_invoice(invoice_id)
    params: dict[str, Any] = {
        "payment_date": "2026-12-01",
        "amount": str(invoice.gross_amount),
        "currency": invoice.currency,
        "vendor_id": invoice.vendor_id,
        "bank_accounts": bank_account_keys(erp.get_vendor(invoice.vendor_id).bank_accounts),
    }
    return act("erp.schedule_payment", invoice_id, **(params | changes))


def test_erp_payment_reconcile_and_bad_parameters() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    pay = payment_of(erp, "INV01")
    assert performer.reconcile(pay) is None
    done = performer.perform(pay)
    assert performer.reconcile(pay).document_id == done.document_id  # type: ignore[union-attr]
    assert done.written["amount"] == pay.params["amount"] and done.document_id in done.written["document_ids"]
    without_date = {k: v for k, v in payment_of(erp, "INV03").params.items() if k != "payment_date"}
    with pytest.raises(ExecutionError, match="missing parameter 'payment_date'"):
        performer.perform(act("erp.schedule_payment", "INV03", **without_date))
    # A draft whose amount is not a number cannot even become an action: there is nothing to judge.
    with pytest.raises(ValidationError, match=r"params.invoice.gross_amount is not a number"):
        act(
            "erp.post_invoice",
            "V08",
            invoice={
                "vendor_id": "V08",
                "reference": "x",
                "invoice_date": "2026-01-01",
                "currency": "EUR",
                "gross_amount": "lots",
            },
        )
    with pytest.raises(ExecutionError, match=r"invalid parameters at invoice_date"):
        performer.perform(
            act(
                "erp.post_invoice",
                "V08",
                invoice={
                    "vendor_id": "V08",
                    "reference": "x",
                    "invoice_date": "soon",
                    "currency": "EUR",
                    "gross_amount": "1.00",
                },
            )
        )


def test_directory_reset_refuses_without_a_delivery_channel_and_never_returns_the_secret() -> None:
    directory = FakeDirectory.sample()
    user = directory.find_user(login="jsmith@acme.example")
    assert user is not None
    not_before = datetime.now(UTC) - timedelta(seconds=1)
    action = act("directory.reset_password", user.id, not_before=not_before.isoformat())
    with pytest.raises(ExecutionError, match="no delivery channel"):
        DirectoryPerformer(directory).perform(action)
    assert DirectoryPerformer(directory).reconcile(action) is None  # nothing was reset
    delivered: list[ResetResult] = []
    performer = DirectoryPerformer(directory, delivery=lambda uid, result: delivered.append(result))
    result = performer.perform(action)
    assert delivered and delivered[0].secret is not None
    secret = delivered[0].secret.get_secret_value()
    assert secret not in repr(result.detail)
    assert performer.reconcile(action) is not None


def test_directory_membership_and_unlock_reconcile() -> None:
    directory = FakeDirectory.sample()
    performer = DirectoryPerformer(directory)
    group = next(g.id for g in directory.list_groups() if not directory.is_member("fu00026", g.id))
    add = act("directory.add_group_member", "fu00026", group_id=group)
    assert performer.reconcile(add) is None
    performer.perform(add)
    assert performer.reconcile(add) is not None
    unlock = act("directory.unlock", "fu00040")
    assert performer.reconcile(unlock) is None
    performer.perform(unlock)
    assert performer.reconcile(unlock) is not None


def test_itsm_comment_and_catalog_request_reconcile() -> None:
    itsm = FakeITSM()
    ticket = itsm.create_ticket(NewTicket(short_description="VPN", caller="beth.anglin", business_key="T-1"))
    performer = ITSMPerformer(itsm)
    comment = act("itsm.comment", ticket.number, body="We reset your VPN profile.")
    assert performer.reconcile(comment) is None
    performer.perform(comment)
    assert performer.reconcile(comment) is not None
    assert (
        performer.reconcile(act("itsm.work_note", ticket.number, body="We reset your VPN profile.")) is None
    )


def test_crm_case_reconcile_by_business_key() -> None:
    crm = FakeCRM.sample()
    performer = CRMPerformer(crm)
    create = act("crm.create_case", "", case={"subject": "Where is my order?"})
    assert performer.reconcile(create) is None
    done = performer.perform(create)
    assert performer.reconcile(create).document_id == done.document_id  # type: ignore[union-attr]


def test_unknown_operations_and_kinds_are_wiring_errors() -> None:
    with pytest.raises(UnsupportedOperation):
        ERPPerformer(FakeERP()).perform(act("erp.launch_rocket"))
    with pytest.raises(UnsupportedOperation):
        ERPPerformer(FakeERP()).perform(act("itsm.comment", "INC1", body="x"))
    with pytest.raises(UnsupportedOperation):
        performer_for("mainframe", object())


def test_a_reconcile_that_keeps_failing_is_an_unknown_outcome() -> None:
    class Flaky(FakeERP):
        def find_payment_for_invoice(self, invoice_id: str) -> Any:
            raise ServerError("still down", vendor="sap", endpoint="GET /x", status=503)

    with pytest.raises(OutcomeUnknownError, match=r"cannot reconcile erp\.schedule_payment"):
        ERPPerformer(Flaky()).reconcile(payment_of(FakeERP.sample(), "INV01"))


def test_erp_block_vendor_reconciles_on_the_block_flag() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    block = act("erp.block_vendor", "V03", reason="bank details phishing")
    assert performer.reconcile(block) is None
    done = performer.perform(block)
    assert done.document_id == "V03" and done.detail["blocked"] is True
    assert erp.get_vendor("V03").blocked and erp.block_reasons["V03"] == "bank details phishing"
    again = performer.reconcile(block)
    assert again is not None and again.detail["reconciled"] is True
    with pytest.raises(ExecutionError, match="missing parameter 'reason'"):
        performer.perform(act("erp.block_vendor", "V04"))


def test_erp_merge_vendors_blocks_every_duplicate_and_keeps_the_survivor() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    merge = act("erp.merge_vendors", "V01", duplicates=["V02", "V05"])
    assert performer.reconcile(merge) is None
    erp.block_vendor("V02", "blocked earlier")
    assert performer.reconcile(merge) is None, "one duplicate still open means not merged"
    done = performer.perform(merge)
    assert done.document_id == "V01" and done.detail["blocked"] == ["V02", "V05"]
    assert not erp.get_vendor("V01").blocked
    assert erp.get_vendor("V05").blocked and erp.block_reasons["V05"] == "merged into V01"
    assert erp.block_reasons["V02"] == "blocked earlier", "an existing block is left as it was"
    assert performer.reconcile(merge) is not None
    bad_params: list[dict[str, Any]] = [
        {"duplicates": []},
        {"duplicates": "V02"},
        {"duplicates": ["V01", "V02"]},
    ]
    with pytest.raises(ExecutionError, match="itself blocked"):
        performer.perform(act("erp.merge_vendors", "V05", duplicates=["V06"]))
    assert not erp.get_vendor("V06").blocked
    for bad in bad_params:
        with pytest.raises(ExecutionError, match="duplicate"):
            performer.perform(act("erp.merge_vendors", "V01", **bad))


def test_erp_update_vendor_accepts_a_tax_id_or_a_bank_account() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    change = act("erp.update_vendor", "V06", tax_id="DE299999999")
    assert performer.reconcile(change) is None
    assert performer.perform(change).detail["tax_id"] == "DE299999999"
    assert erp.get_vendor("V06").tax_id == "DE299999999"
    assert performer.reconcile(change) is not None
    bank = act("erp.update_vendor", "V06", bank_account={"iban": "DE75512108001245126199"})
    assert performer.reconcile(bank) is None
    performer.perform(bank)
    assert performer.reconcile(bank) is not None
    both = act("erp.update_vendor", "V06", tax_id="DE1", bank_account={"iban": "DE75512108001245126199"})
    with pytest.raises(ExecutionError, match="exactly one of"):
        performer.perform(both)
    with pytest.raises(ExecutionError, match="exactly one of"):
        performer.reconcile(act("erp.update_vendor", "V06"))


def test_erp_credit_memo_is_booked_once_under_the_action_business_key() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    order = erp.list_sales_orders("CUST-10029")[0]
    memo = {
        "customer_id": "CUST-10029",
        "currency": order.currency,
        "amount": "25.00",
        "reason": "customer refund request via intake",
        "reference": order.number,
    }
    credit = act("erp.create_credit_memo", order.number, credit_memo=memo)
    assert performer.reconcile(credit) is None
    done = performer.perform(credit)
    booked = erp.find_credit_memo(credit.business_key)
    assert booked is not None and booked.id == done.document_id and str(booked.amount) == "25.00"
    again = performer.reconcile(credit)
    assert again is not None and again.document_id == done.document_id
    with pytest.raises(ExecutionError, match="without 'business_key'"):
        performer.perform(act("erp.create_credit_memo", "x", credit_memo={**memo, "business_key": "k"}))
    with pytest.raises(ExecutionError, match="invalid parameters at amount"):
        performer.perform(act("erp.create_credit_memo", "y", credit_memo={**memo, "amount": "-5"}))
    assert len(erp.list_credit_memos("CUST-10029")) == 1
