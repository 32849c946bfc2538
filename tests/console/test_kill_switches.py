"""Runtime kill switches: the Governor denies a switched-off agent's actions, and every flip is recorded."""

from __future__ import annotations

import pytest
from console_world import NOW, World

from governance.action import Action
from governance.errors import ApprovalError
from governance.gate import Decision
from governance.kill_switches import (
    KILL_SWITCH_EVENT,
    KillSwitchError,
    set_kill_switch,
    switch_states,
    transaction_id_for,
)


def _flip(world: World, engaged: bool, reason: str = "suspected duplicate wave", actor: str = "ada") -> None:
    governor = world.governor
    set_kill_switch(
        governor.store,
        governor.ledger,
        governor.policy,
        agent="ap_clerk",
        engaged=engaged,
        actor=actor,
        reason=reason,
        now=NOW,
    )


def _small_hold(reference: str) -> Action:
    return Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.hold_invoice",
        target="5105600999",
        params={"reason": "check"},
        business_key=f"ks-test:{reference}",
    )


def test_switched_off_agent_is_denied_with_reason_kill_switch(world: World) -> None:
    _flip(world, True)
    outcome = world.governor.submit(_small_hold("1"), transaction_id="ks-1")
    assert outcome.status == "denied"
    assert [reason.code.value for reason in outcome.reasons] == ["kill_switch"]
    assert "ada" in outcome.reasons[0].message and "suspected duplicate wave" in outcome.reasons[0].message
    verdict = world.governor.ledger.records("ks-1", kind="verdict")[0].payload
    assert verdict["decision"] == "deny" and verdict["reasons"][0]["code"] == "kill_switch"


def test_release_lets_the_agent_act_again_and_both_flips_are_in_the_ledger(world: World) -> None:
    _flip(world, True)
    _flip(world, False, reason="wave explained: supplier resent a batch")
    outcome = world.governor.submit(_small_hold("2"), transaction_id="ks-2")
    assert outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE
    notes = [r for r in world.governor.ledger.records(transaction_id_for("ap_clerk")) if r.kind == "note"]
    assert [(n.payload["event"], n.payload["engaged"], n.actor) for n in notes] == [
        (KILL_SWITCH_EVENT, True, "ada"),
        (KILL_SWITCH_EVENT, False, "ada"),
    ]
    assert notes[1].payload["previously_engaged"] is True
    assert world.governor.ledger.verify().ok
    state = switch_states(world.governor.store)["ap_clerk"]
    assert not state.engaged and state.reason.startswith("wave explained")


def test_an_approval_does_not_execute_while_the_agent_is_switched_off(world: World) -> None:
    _flip(world, True)
    with pytest.raises(ApprovalError, match=r"kill switch|switched off"):
        world.governor.approve(world.approval_id("SOD-9001"), "alice", "looks right")
    assert world.erp.find_invoice("17300015", "SOD-9001") is None


def test_other_agents_are_not_affected(world: World) -> None:
    _flip(world, True)
    action = Action(
        agent="procurement",
        system="sap",
        operation="erp.set_spend_category",
        target="LINE-1",
        params={"category": "43211500"},
        business_key="ks-test:other",
    )
    outcome = world.governor.submit(action, transaction_id="ks-3")
    assert outcome.verdict is not None and outcome.verdict.decision is Decision.EXECUTE


@pytest.mark.parametrize(
    ("agent", "reason", "message"),
    [("nobody", "why", "unknown agent 'nobody'"), ("ap_clerk", "  ", "needs a reason")],
)
def test_bad_flips_are_refused(world: World, agent: str, reason: str, message: str) -> None:
    governor = world.governor
    with pytest.raises(KillSwitchError, match=message):
        set_kill_switch(
            governor.store,
            governor.ledger,
            governor.policy,
            agent=agent,
            engaged=True,
            actor="ada",
            reason=reason,
            now=NOW,
        )
    assert switch_states(governor.store) == {}
