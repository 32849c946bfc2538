"""The order book fake, the credit-memo performer and the reply performer, alone and governed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.intake.credit_performer import CreditMemoPerformer
from agents.intake.orders import CreditMemoDraft, DeliveryStatus, FakeOrders, OrderConnector
from agents.intake.reply_performer import Outbox, ReplyingCRMPerformer
from agents.intake.wiring import IntakeStack
from connectors.crm.fake import FakeCRM
from connectors.errors import ConflictError, NotFoundError, RejectedError
from governance.action import Action
from governance.errors import ExecutionError


def credit(amount: str, key: str = "k1", order: str = "SO-100001", customer: str = "CUST-10001") -> Action:
    return Action(
        agent="customer_intake",
        system="sap",
        operation="erp.create_credit_memo",
        target=order,
        params={"order_number": order, "reason": "test"},
        amount=Decimal(amount),
        currency="EUR",
        counterparty=customer,
        business_key=key,
    )


def test_sample_order_book_is_deterministic_and_covers_every_delivery_status() -> None:
    first, second = FakeOrders.sample(), FakeOrders.sample()
    assert isinstance(first, OrderConnector)
    orders = first.orders_for("CUST-10001")
    assert orders == second.orders_for("CUST-10001")
    assert {o.delivery.status for o in orders} == set(DeliveryStatus)
    invoice = first.find_invoice_for_order(orders[0].number)
    assert invoice is not None and first.find_invoice(invoice.number.lower()) == invoice
    with pytest.raises(NotFoundError, match="no sales order 'SO-1'"):
        first.get_order("SO-1")
    assert first.subscriptions_for("CUST-10001")[0].active


def test_credit_memo_rules() -> None:
    orders = FakeOrders.sample()
    total = orders.get_order("SO-100002").total
    draft = CreditMemoDraft(
        account_number="CUST-10001",
        order_number="SO-100002",
        amount=Decimal("10"),
        currency="EUR",
        reason="r",
        business_key="K",
    )
    orders.create_credit_memo(draft)
    with pytest.raises(ConflictError, match="business key 'k'"):
        orders.create_credit_memo(draft.model_copy(update={"business_key": "k"}))
    with pytest.raises(RejectedError, match="would exceed"):
        orders.create_credit_memo(draft.model_copy(update={"business_key": "K2", "amount": total}))
    with pytest.raises(RejectedError, match="does not belong"):
        orders.create_credit_memo(
            draft.model_copy(update={"business_key": "K3", "account_number": "CUST-10008"})
        )


def test_credit_performer_performs_and_reconciles_by_business_key() -> None:
    orders = FakeOrders.sample()
    performer = CreditMemoPerformer(orders)
    assert performer.reconcile(credit("20")) is None
    done = performer.perform(credit("20"))
    assert done.document_id is not None and done.detail["amount"] == "20"
    again = performer.reconcile(credit("20"))
    assert again is not None and again.document_id == done.document_id and again.detail["reconciled"] is True
    with pytest.raises(ExecutionError, match="needs amount, currency and counterparty"):
        performer.perform(credit("20").model_copy(update={"counterparty": None}))


def test_reply_is_a_public_comment_plus_outbox_record_once() -> None:
    crm, outbox = FakeCRM.sample(), Outbox()
    performer = ReplyingCRMPerformer(crm, outbox)
    action = Action(
        agent="customer_intake",
        system="salesforce",
        operation="crm.send_reply",
        target="CASE-01",
        params={"body": "Hello", "to": "ada@acme.example", "channel": "email", "subject": "Re: x"},
        business_key="reply-1",
    )
    assert performer.reconcile(action) is None
    result = performer.perform(action)
    comments = [c for c in crm.list_case_comments("CASE-01") if c.id == result.document_id]
    assert comments and comments[0].public and comments[0].body == "Hello"
    assert performer.perform(action).detail["already_queued"] is True
    assert len(outbox.messages) == 1 and outbox.messages[0].to == "ada@acme.example"
    reconciled = performer.reconcile(action)
    assert reconciled is not None and reconciled.document_id == result.document_id


def test_governed_credit_tiers(stack: IntakeStack) -> None:
    small = stack.governor.submit(credit("60", key="a"), transaction_id="t1")
    assert small.status == "executed"
    large = stack.governor.submit(credit("150", key="b"), transaction_id="t2")
    assert large.status == "held"
    assert [m.amount for m in stack.orders.credit_memos()] == [Decimal("60")]
