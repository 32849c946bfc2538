"""The ERP read helper, the ERP performer's intake operations and the reply performer, alone and governed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
import requests

from agents.intake.orders import OrderBook, number_candidates
from agents.intake.reply_performer import Outbox, OutboxAttachment, ReplyingCRMPerformer
from agents.intake.wiring import IntakeStack
from agents.performers.erp import ERPPerformer
from connectors.crm.fake import FakeCRM
from connectors.erp import FakeERP
from connectors.erp.billing import SubscriptionStatus, current_period_end
from connectors.erp.protocol import ERPConnector
from connectors.errors import NotFoundError
from connectors.sap import SapS4HanaAdapter
from governance.action import Action
from governance.errors import ExecutionError
from mocks.sap import SapMock
from mocks.transport import mount_mocks


def sap_on_mock() -> tuple[ERPConnector, SapMock]:
    mock = SapMock.from_fixtures()
    session = mount_mocks(requests.Session(), {"https://sap.mock": mock})
    return SapS4HanaAdapter("https://sap.mock", "OPSPACK_COMM", "Welcome-S4H-2024!", session=session), mock


def credit(
    amount: str, key: str = "k1", customer: str = "CUST-10001", reference: str = "INV-200000"
) -> Action:
    memo = {
        "customer_id": customer,
        "currency": "EUR",
        "amount": amount,
        "reason": "customer refund request via intake",
        "reference": reference,
    }
    return Action(
        agent="customer_intake",
        system="sap",
        operation="erp.create_credit_memo",
        target="SO-100000",
        params={"credit_memo": memo},
        amount=Decimal(amount),
        currency="EUR",
        counterparty=customer,
        business_key=key,
    )


def cancel(subscription: str, key: str = "c1") -> Action:
    return Action(
        agent="customer_intake",
        system="sap",
        operation="erp.cancel_subscription",
        target=subscription,
        params={"reason": "customer request via intake", "customer_id": "CUST-10001"},
        business_key=key,
    )


def test_quoted_numbers_are_tried_as_printed_then_as_digits() -> None:
    assert number_candidates(" so-100231 ") == ["SO-100231", "100231"]
    assert number_candidates("INV200231") == ["INV200231", "200231"]
    assert number_candidates("100231") == ["100231"]


@pytest.mark.parametrize("make", [FakeERP.sample, lambda: sap_on_mock()[0]], ids=["fake", "sap-mock"])
def test_order_book_only_shows_the_customers_own_records(make: Callable[[], ERPConnector]) -> None:
    book = OrderBook(make())
    order = book.order("SO-100001", "CUST-10001")
    assert order is not None and order.customer_id == "CUST-10001"
    assert book.order("SO-100001", "CUST-10008") is None, "someone else's order looks like no order"
    assert book.order("SO-999999", "CUST-10001") is None
    invoice = book.invoice("INV-200000", "CUST-10001")
    assert invoice is not None and book.invoice("INV-200000", "CUST-10008") is None
    left, invoices = book.creditable(order)
    assert [i.number for i in invoices] == [book.invoices_for(order)[0].number]
    assert left == invoices[0].gross_amount
    first = book.order("SO-100000", "CUST-10001")
    assert first is not None
    seeded = book.erp.list_credit_memos("CUST-10001")[0].amount
    assert book.creditable(first)[0] == book.invoices_for(first)[0].gross_amount - seeded
    assert [s.plan for s in book.active_subscriptions("CUST-10001")] == ["Premium support plan"]
    assert book.active_subscriptions("CUST-10015") == [], "its only plan ended"


def test_credit_performer_books_once_and_reconciles_by_business_key() -> None:
    erp = FakeERP.sample()
    performer = ERPPerformer(erp)
    assert performer.reconcile(credit("20")) is None
    done = performer.perform(credit("20"))
    again = performer.reconcile(credit("20"))
    assert again is not None and again.document_id == done.document_id and again.detail["reconciled"] is True
    memo = erp.find_credit_memo("k1")
    assert memo is not None and memo.reference == "INV-200000" and memo.amount == Decimal("20")


@pytest.mark.parametrize("on_mock", [False, True], ids=["fake", "sap-mock"])
def test_cancel_performer_cancels_and_reconciles(on_mock: bool) -> None:
    erp: ERPConnector = sap_on_mock()[0] if on_mock else FakeERP.sample()
    subscription = erp.list_subscriptions("CUST-10001")[0]
    performer = ERPPerformer(erp)
    assert performer.reconcile(cancel(subscription.id)) is None, "not cancelled yet: nothing to reconcile"
    done = performer.perform(cancel(subscription.id))
    ends = current_period_end(subscription.start_date, subscription.billing_period, date.today())
    assert done.document_id == subscription.id and done.detail["status"] == "cancelled"
    stored = erp.get_subscription(subscription.id).end_date
    assert stored is not None and done.detail["end_date"] == stored.isoformat()
    assert abs((stored - ends).days) <= 31, "the running period's end (today's, or yesterday's at midnight)"
    again = performer.reconcile(cancel(subscription.id))
    assert again is not None and again.detail["reconciled"] is True
    assert performer.perform(cancel(subscription.id)).detail == done.detail, "a repeat changes nothing"
    with pytest.raises(NotFoundError):
        performer.perform(cancel("9999999999"))
    with pytest.raises(ExecutionError, match="missing parameter 'reason'"):
        performer.perform(cancel(subscription.id).model_copy(update={"params": {}}))


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


def test_reply_attachments_travel_by_digest_and_must_be_staged() -> None:
    crm, outbox = FakeCRM.sample(), Outbox()
    performer = ReplyingCRMPerformer(crm, outbox)
    pdf = OutboxAttachment("invoice-INV-1.pdf", "application/pdf", b"%PDF-1.4 test")
    descriptor = outbox.stage(pdf)
    assert set(descriptor) == {"filename", "media_type", "size", "sha256"} and "content" not in descriptor

    def reply(key: str, attachments: list[dict[str, object]]) -> Action:
        params = {"body": "Copy attached", "to": "a@b.example", "attachments": attachments}
        return Action(
            agent="customer_intake",
            system="salesforce",
            operation="crm.send_reply",
            target="CASE-01",
            params=params,
            business_key=key,
        )

    performer.perform(reply("r1", [descriptor]))
    assert outbox.messages[-1].attachments == (pdf,)
    forged = {**descriptor, "sha256": "0" * 64}
    with pytest.raises(ExecutionError, match="was not staged"):
        performer.perform(reply("r2", [forged]))
    with pytest.raises(ExecutionError, match="was not staged"):
        performer.perform(reply("r3", [{**descriptor, "size": 1}]))
    assert len(outbox.messages) == 1


def test_governed_tiers_for_credits_and_cancellations(stack: IntakeStack) -> None:
    small = stack.governor.submit(credit("60", key="a"), transaction_id="t1")
    assert small.status == "executed"
    large = stack.governor.submit(credit("150", key="b"), transaction_id="t2")
    assert large.status == "held"
    booked = [m.amount for m in stack.erp.list_credit_memos("CUST-10001") if m.business_key in {"a", "b"}]
    assert booked == [Decimal("60")]
    subscription = stack.erp.list_subscriptions("CUST-10001")[0]
    cancelled = stack.governor.submit(cancel(subscription.id), transaction_id="t3")
    assert cancelled.status == "executed" and cancelled.document_id == subscription.id
    assert stack.erp.get_subscription(subscription.id).status is SubscriptionStatus.CANCELLED
    foreign = cancel(subscription.id, key="c2").model_copy(update={"system": "salesforce"})
    assert stack.governor.submit(foreign, transaction_id="t4").status == "denied", "only on ERP connections"
