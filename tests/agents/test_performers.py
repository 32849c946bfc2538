"""Performers map governed operations onto connector calls and answer the reconcile question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

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


def test_erp_payment_reconcile_and_bad_parameters() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    pay = act("erp.schedule_payment", "INV01", payment_date="2026-12-01")
    assert performer.reconcile(pay) is None
    done = performer.perform(pay)
    assert performer.reconcile(pay).document_id == done.document_id  # type: ignore[union-attr]
    with pytest.raises(ExecutionError, match="missing parameter 'payment_date'"):
        performer.perform(act("erp.schedule_payment", "INV03"))
    with pytest.raises(ExecutionError, match=r"invalid parameters at gross_amount"):
        performer.perform(
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
        ERPPerformer(Flaky()).reconcile(act("erp.schedule_payment", "INV01", payment_date="2026-12-01"))
