"""The tool catalogue covers every performer operation and speaks the policy's parameter names."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.governed_tools import SPECS, operations_for
from agents.governed_tools.wiring import agent_operations, check_catalogue, performer_operations
from governance.action import Action
from governance.policy import load_policy

POLICY = load_policy(Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml")


def test_every_performer_operation_has_exactly_one_tool() -> None:
    check_catalogue()
    performed = {op for ops in performer_operations().values() for op in ops}
    assert performed == set(SPECS)
    assert {"erp", "itsm", "crm", "directory"} <= set(performer_operations())
    names = [spec.tool_name for spec in SPECS.values()]
    assert len(names) == len(set(names))


def test_every_granted_operation_of_every_agent_is_a_tool() -> None:
    for agent, spec in POLICY.agents.items():
        wired: dict[str, str] = {}
        for system in spec.systems:
            kind = POLICY.systems[system].kind
            if kind not in wired.values():
                wired[system] = kind
        tools = {op.operation for op in agent_operations(POLICY, agent, wired)}
        granted = {op for system in wired for op in spec.systems[system] if not op.endswith(".read")}
        assert granted == tools, agent


@pytest.mark.parametrize(
    "guard", [g for a in POLICY.agents.values() for g in a.guarded_values], ids=lambda g: g.name
)
def test_guarded_parameters_are_tool_arguments_and_reach_the_action(guard: object) -> None:
    operation, param = guard.operation, guard.param  # type: ignore[attr-defined]
    (tool,) = [op for op in operations_for(operation.split(".")[0], "okta") if op.operation == operation]
    assert param in tool.args_schema.model_fields
    args = tool.args_schema.model_validate(
        {"user_id": "u1", "ticket": "T1", "group_id": "g1", "group_name": "Domain Admins"}
    )
    shape = tool.shape(args)
    assert shape.params[param] == "Domain Admins"
    Action(
        agent="service_desk",
        system="okta",
        operation=operation,
        target=shape.target,
        params=shape.params,
        business_key=shape.business_key,
    )


def test_money_comes_from_the_parameters_the_gate_judges() -> None:
    (pay,) = [op for op in operations_for("erp", "sap") if op.operation == "erp.schedule_payment"]
    args = pay.args_schema.model_validate(
        {
            "invoice_id": "INV01",
            "vendor_id": "V08",
            "amount": "1339.71",
            "currency": "EUR",
            "payment_date": "2026-12-01",
            "bank_accounts": ["DE02120300000000202051"],
        }
    )
    shape = pay.shape(args)
    action = Action(
        agent="ap_clerk",
        system="sap",
        operation=pay.operation,
        target=shape.target,
        params=shape.params,
        business_key=shape.business_key,
    )
    assert (str(action.amount), action.currency, action.counterparty) == ("1339.71", "EUR", "V08")
    assert "amount from amount" in pay.description
