"""Hole 8 (kill switch): an approval given while the agent is switched off stays pending and runs,
judged again, when the switch is lifted.

Before the fix the approval re-judged to "deny (kill switch)" and the request was marked stale for
good, while the console still listed it as pending.
"""

from __future__ import annotations

import pytest

from governance import approvals
from governance.errors import ApprovalError
from governance.kill_switches import set_kill_switch
from governance.ledger import Ledger
from governance.store import Store

from .governed_erp import GovernedERP, invoice_draft, post_invoice


@pytest.fixture
def world(sqlite_url: str) -> GovernedERP:
    governed = GovernedERP(Store(sqlite_url))
    governed.vendor("V300")
    return governed


def flip(world: GovernedERP, engaged: bool) -> None:
    governor = world.governor
    set_kill_switch(
        governor.store,
        governor.ledger,
        governor.policy,
        agent="ap_clerk",
        engaged=engaged,
        actor="ada",
        reason="fraud wave" if engaged else "explained",
        now=world.now,
    )


def held(world: GovernedERP, gross: str = "30000.00", reference: str = "RE-1") -> str:
    outcome = world.submit(post_invoice(invoice_draft(gross, reference=reference)), f"tx-{reference}")
    assert outcome.status == "held" and outcome.approval_id is not None
    return outcome.approval_id


def test_an_approval_under_the_kill_switch_stays_pending_and_runs_when_lifted(world: GovernedERP) -> None:
    approval_id = held(world)
    flip(world, True)
    with pytest.raises(ApprovalError, match="switched off"):
        world.governor.approve(approval_id, "alice", "PO checked")
    request = approvals.get_request(world.store, approval_id)
    assert request.effective_status(world.now) == "pending" and request.decided_by == "alice"
    assert world.erp.invoices == []
    decided = Ledger(world.store).records("tx-RE-1", kind="approval_decided")[-1].payload
    assert (decided["decision"], decided["approver"], decided["reason"]) == (
        "deferred",
        "alice",
        "PO checked",
    )

    assert world.governor.run_deferred_approvals("ap_clerk") == []  # still switched off: nothing runs
    flip(world, False)
    outcomes = world.governor.run_deferred_approvals("ap_clerk")
    assert [outcome.status for outcome in outcomes] == ["executed"]
    assert approvals.get_request(world.store, approval_id).status == "used"
    assert world.erp.find_invoice("V300", "RE-1") is not None


def test_the_agents_next_submit_runs_a_kept_approval_once_the_switch_is_lifted(world: GovernedERP) -> None:
    approval_id = held(world)
    flip(world, True)
    with pytest.raises(ApprovalError):
        world.governor.approve(approval_id, "alice", "PO checked")
    assert world.submit(post_invoice(invoice_draft("30000.00")), "tx-RE-1").status == "denied"
    flip(world, False)
    again = world.submit(post_invoice(invoice_draft("30000.00")), "tx-RE-1")
    assert again.status == "executed" and again.approval_id == approval_id


def test_a_kept_approval_is_judged_again_when_the_switch_is_lifted(world: GovernedERP) -> None:
    """The state changed while the switch was on (the vendor was blocked): nothing is posted."""
    approval_id = held(world)
    flip(world, True)
    with pytest.raises(ApprovalError):
        world.governor.approve(approval_id, "alice", "PO checked")
    world.erp.block_vendor("V300", "bank details phishing suspected")
    flip(world, False)
    outcomes = world.governor.run_deferred_approvals("ap_clerk")
    assert [outcome.status for outcome in outcomes] == ["failed"]
    assert world.erp.invoices == []


def test_a_kept_decision_never_lets_the_maker_approve(world: GovernedERP) -> None:
    approval_id = held(world)
    flip(world, True)
    with pytest.raises(ApprovalError, match="cannot approve"):
        world.governor.approve(approval_id, "ap_clerk", "self-approval")
    assert approvals.get_request(world.store, approval_id).decided_by is None
