"""The agent core: proposed actions, the kind -> connection map, outcome readings, plans as recorded,
and `run` with an agent's own resume point (the `resume` hook)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from agents.ap.plan import APPlan
from agents.core import (
    Connections,
    Decided,
    Decision,
    Lifecycle,
    Perceived,
    Plan,
    ProposedAction,
    Resumed,
    Submitted,
    Transaction,
    UnknownSystemKind,
    run,
)
from governance.action import Action
from governance.policy import load_policy
from governance.runtime import Governor, Outcome, OutcomeStatus
from governance.store import Store

POLICY = Path(__file__).resolve().parents[2] / "fixtures" / "policy.yaml"

CONNECTIONS = Connections.of(erp="sap", itsm="servicenow", directory="okta")


def test_a_proposed_action_gets_the_agent_and_the_connection_of_its_kind() -> None:
    proposed = ProposedAction(
        operation="itsm.comment", target="INC1", params={"body": "hello"}, business_key="t:comment"
    )
    action = proposed.to_action("service_desk", CONNECTIONS)
    assert action == Action(
        agent="service_desk",
        system="servicenow",
        operation="itsm.comment",
        target="INC1",
        params={"body": "hello"},
        business_key="t:comment",
    )


def test_an_explicit_kind_wins_over_the_operation_prefix() -> None:
    proposed = ProposedAction(
        kind="directory", operation="directory.unlock", target="jsmith", business_key="t:unlock"
    )
    assert proposed.to_action("service_desk", CONNECTIONS).system == "okta"
    assert proposed.system_kind == "directory"


def test_a_kind_without_a_connection_is_refused_by_name() -> None:
    proposed = ProposedAction(operation="crm.comment", target="C1", business_key="k")
    with pytest.raises(UnknownSystemKind, match=r"'crm'.*directory, erp, itsm"):
        proposed.to_action("intake", CONNECTIONS)


def _submitted(status: OutcomeStatus, document_id: str | None = None) -> Submitted:
    action = ProposedAction(operation="itsm.comment", target="INC1", business_key="k").to_action(
        "a", CONNECTIONS
    )
    return Submitted(action, Outcome(status, document_id=document_id))


def test_the_outcome_readings() -> None:
    assert _submitted("executed", "D1").landed and _submitted("executed", "D1").done
    assert _submitted("executed").done and not _submitted("executed").landed
    assert _submitted("duplicate", "D1").landed and not _submitted("duplicate", "D1").elsewhere
    assert _submitted("duplicate").elsewhere and _submitted("duplicate").done
    assert _submitted("held").held and not _submitted("held").done
    assert _submitted("shadowed").shadowed and not _submitted("shadowed").done
    assert [_submitted(s).stop_reason for s in ("denied", "failed", "unknown", "held")] == [
        "action_denied",
        "action_failed",
        "action_unknown",
        "action_failed",
    ]


def test_a_plan_records_only_the_fields_it_was_given() -> None:
    plan = Plan(kind="escalate", reasons=("not_mine",), rule="r")
    assert plan.ledger_form() == {"kind": "escalate", "reasons": ["not_mine"], "rule": "r"}
    assert Plan.model_validate(plan.ledger_form()) == plan


def test_an_ap_plan_reads_back_the_dict_plans_earlier_versions_recorded() -> None:
    post = Action(
        agent="ap_clerk",
        system="sap",
        operation="erp.hold_invoice",
        target="5100000001",
        params={"reason": "price", "reason_codes": ["price_variance"], "vendor_id": "V1"},
        business_key="ap-invoice:V1:INV-1:hold",
    )
    recorded = {
        "kind": "post_and_hold",
        "outcome": "hold",
        "reasons": ["price_variance"],
        "rule": "match.price",
        "route": {"queue": "buyers", "sla_hours": 48},
        "post": post.model_dump(mode="json"),
        "hold_reason": "price",
        "payment_date": "2026-01-31",
        "vendor_id": "V1",
        "reference": "INV-1",
        "amount": "100.00",
        "currency": "EUR",
        "bank_accounts": ["DE02120300000000202051"],
    }
    plan = APPlan.model_validate(recorded)
    assert plan.posting() == post
    assert plan.ledger_form() == recorded
    assert plan.model_copy(update={"rule": "governance.post_failed"}).ledger_form() == {
        **recorded,
        "rule": "governance.post_failed",
    }
    assert "actions" not in plan.ledger_form() and plan.amount == str(Decimal("100.00"))


# --- an agent's own resume point (the `resume` hook) ------------------------------------------


class _Counting:
    """An agent that counts what the core asked of it."""

    def __init__(self) -> None:
        self.perceived = 0
        self.decided = 0

    def perceive(self, source: str, txn: Transaction) -> Perceived[str]:
        self.perceived += 1
        return Perceived(source, {"seen": source})

    def decide(self, seen: str, txn: Transaction) -> Decision[Plan]:
        self.decided += 1
        return Decision(Plan(kind="note", reasons=(seen,)), {"why": "counted"})


@pytest.fixture
def txn(tmp_path: Path) -> Iterator[Transaction]:
    store = Store(f"sqlite:///{tmp_path / 'core.db'}")
    governor = Governor(load_policy(POLICY), store, {})
    yield Transaction("t-hook", "service_desk", governor, CONNECTIONS)
    store.dispose()


def _hooked(where: Resumed[str, Plan], acted: list[Plan]) -> Lifecycle[Plan, str]:
    def act(decided: Decided[Plan], txn: Transaction) -> str:
        acted.append(decided.plan)
        return "resumed" if decided.resumed else "decided"

    return Lifecycle(plan_type=Plan, act=act, restore=None, completion=lambda r: None, resume=lambda t: where)


def test_a_resume_hook_that_reports_a_result_ends_the_run_there(txn: Transaction) -> None:
    agent, acted = _Counting(), []
    assert run(agent, "x", txn, _hooked("handled already", acted), intake={"x": 1}) == "handled already"
    assert (agent.perceived, agent.decided, acted, txn.records()) == (0, 0, [], [])


def test_a_resume_hook_that_hands_back_a_plan_is_acted_on_without_deciding(txn: Transaction) -> None:
    agent, acted, stored = _Counting(), [], Plan(kind="stored")
    where = Decided(stored, {}, [], resumed=True)
    assert run(agent, "x", txn, _hooked(where, acted), intake={"x": 1}) == "resumed"
    assert (agent.perceived, agent.decided, acted, txn.records()) == (0, 0, [stored], [])


def test_a_resume_hook_that_knows_nothing_lets_the_core_decide_and_record(txn: Transaction) -> None:
    agent, acted = _Counting(), []
    assert run(agent, "x", txn, _hooked(None, acted), intake={"x": 1}) == "decided"
    assert (agent.perceived, agent.decided) == (1, 1)
    assert [r.kind for r in txn.records()] == ["intake", "perception", "decision"]
    assert txn.records(kind="decision")[0].payload == {
        "why": "counted",
        "plan": {"kind": "note", "reasons": ["x"]},
    }
    assert acted == [Plan(kind="note", reasons=("x",))]
    # The hook still knows nothing (a crash before the agent stored its resume point): the core
    # decides again, but the recorded decision wins and nothing is recorded twice.
    assert run(agent, "x", txn, _hooked(None, acted), intake={"x": 1}) == "resumed"
    assert (agent.perceived, agent.decided) == (2, 2)
    assert [r.kind for r in txn.records()] == ["intake", "perception", "decision"]


def test_a_lifecycle_needs_a_way_to_resume() -> None:
    with pytest.raises(ValueError, match=r"restore .* or resume"):
        Lifecycle(plan_type=Plan, act=lambda d, t: None, restore=None, completion=lambda r: None)
