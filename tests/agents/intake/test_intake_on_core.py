"""The intake agent on the agent core: a message handled again after a restart is not handled
twice, and a message whose run stopped after its decision carries on with the recorded plan."""

from __future__ import annotations

import pytest

from agents.intake.agent import IntakeAgent, IntakeOutcome
from agents.intake.case_work import CaseWork
from agents.intake.wiring import IntakeStack

from .conftest import mail


def restarted(stack: IntakeStack) -> IntakeAgent:
    """A fresh agent on the same ledger and systems (what a worker restart builds)."""
    return IntakeAgent(stack.governor, stack.agent.systems, stack.agent.config)


def kinds(stack: IntakeStack, transaction_id: str) -> list[str]:
    return [r.kind for r in stack.governor.ledger.records(transaction_id=transaction_id)]


def test_a_message_handled_again_after_a_restart_returns_its_recorded_outcome(stack: IntakeStack) -> None:
    message = mail("Where is my order SO-100001?")
    first = stack.agent.handle(message)
    before, sent = kinds(stack, first.transaction_id), len(stack.outbox.messages)
    again = restarted(stack).handle(message)
    assert again == first and again.outcome is IntakeOutcome.RESOLVED
    assert kinds(stack, first.transaction_id) == before and len(stack.outbox.messages) == sent
    last = stack.governor.ledger.records(transaction_id=first.transaction_id)[-1]
    assert last.kind == "decision" and last.payload["event"] == "intake_completed"
    assert (last.payload["outcome"], last.payload["intent"]) == ("resolved", "order_status")


def test_a_run_stopped_after_its_decision_carries_on_with_the_recorded_plan(
    stack: IntakeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = mail("Where is my order SO-100001?")
    carry_out = CaseWork.carry_out

    def crash(self: CaseWork, *args: object) -> object:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(CaseWork, "carry_out", crash)
    with pytest.raises(RuntimeError, match="worker killed"):
        stack.agent.handle(message)
    monkeypatch.setattr(CaseWork, "carry_out", carry_out)
    result = restarted(stack).handle(message)
    assert result.outcome is IntakeOutcome.RESOLVED and result.account_id == "ACC-01"
    recorded = kinds(stack, result.transaction_id)
    assert recorded.count("intake") == 1 and recorded.count("perception") == 2
    assert recorded.count("decision") == 2 and recorded[-1] == "decision"  # the plan, the outcome
    assert "SO-100001" in stack.outbox.messages[-1].body


def test_a_refund_decided_before_its_case_existed_is_keyed_by_the_case(stack: IntakeStack) -> None:
    """The plan is decided before the message opens its case; the credit memo's business key
    still names the case, so a later message on the same case cannot book a second refund."""
    result = stack.agent.handle(mail("Please refund 20 EUR for order SO-100000, it arrived damaged."))
    assert result.outcome is IntakeOutcome.RESOLVED and result.case_id is not None
    keys = [
        m.business_key
        for m in stack.erp.list_credit_memos("CUST-10001")
        if m.business_key.startswith("credit:")
    ]
    assert keys == [f"credit:{result.case_id}:SO-100000"]
