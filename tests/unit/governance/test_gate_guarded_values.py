"""Guarded values: a privileged group waits for its owner whatever the tier, and fails closed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.action import Action
from governance.errors import PolicyError
from governance.gate import Context, Decision, Reason, evaluate
from governance.policy import Policy, parse_policy

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
PRIVILEGED = ("Domain Admins", "Enterprise Admins", "*-admins")


def policy_data(**guard_overrides: Any) -> dict[str, Any]:
    guard: dict[str, Any] = {
        "name": "privileged_groups",
        "operation": "directory.add_group_member",
        "param": "group_name",
        "values": list(PRIVILEGED),
        "approvers": ["carol"],
    }
    guard.update(guard_overrides)
    return {
        "systems": {"okta": {"kind": "directory"}},
        "agents": {
            "desk": {
                "identity": {"id": "agent-desk", "owner": "it@example.com"},
                "systems": {"okta": ["directory.read", "directory.add_group_member"]},
                "autonomy": {"default": "hitl", "classes": {"directory.add_group_member": "hootl"}},
                "guarded_values": [guard],
                "escalation": {
                    "default": {"queue": "l2", "sla_hours": 8},
                    "routes": {"guarded_value": {"queue": "group-owners", "sla_hours": 24}},
                },
            }
        },
        "approvers": {
            "carol": {"name": "Carol", "may_approve": ["desk"]},
            "bob": {"name": "Bob", "may_approve": ["desk"]},
        },
    }


POLICY: Policy = parse_policy(policy_data())


def grant(group_name: Any = "Sales-Readers", **params: Any) -> Action:
    fields: dict[str, Any] = {"group_id": "00g1"}
    if group_name is not None:
        fields["group_name"] = group_name
    fields.update(params)
    return Action(
        agent="desk",
        system="okta",
        operation="directory.add_group_member",
        target="00u42",
        params=fields,
        business_key="INC0001/grant",
    )


def test_ordinary_group_runs_at_its_tier() -> None:
    assert evaluate(grant(), Context(POLICY, NOW)).decision is Decision.EXECUTE


@pytest.mark.parametrize("name", ["Domain Admins", "domain admins", "  DOMAIN ADMINS ", "finance-admins"])
def test_guarded_group_is_held_and_routed_to_owners(name: str) -> None:
    verdict = evaluate(grant(name), Context(POLICY, NOW))
    assert verdict.decision is Decision.HOLD
    assert Reason.GUARDED_VALUE.value in verdict.codes
    assert verdict.route is not None and verdict.route.queue == "group-owners"


@pytest.mark.parametrize("name", [None, "", "   ", 42, ["Domain Admins"]])
def test_missing_or_odd_param_fails_closed(name: Any) -> None:
    action = grant(None) if name is None else grant(name)
    assert evaluate(action, Context(POLICY, NOW)).decision is Decision.HOLD


def test_only_named_approvers_may_approve() -> None:
    held = grant("Domain Admins")
    by_bob = evaluate(held, Context(POLICY, NOW, approver="bob"))
    assert by_bob.decision is Decision.DENY
    assert Reason.APPROVER_NOT_AUTHORISED.value in by_bob.codes
    by_carol = evaluate(held, Context(POLICY, NOW, approver="carol"))
    assert by_carol.decision is Decision.HOLD  # still held: the approval itself is what releases it
    assert Reason.APPROVER_NOT_AUTHORISED.value not in by_carol.codes
    # an ordinary group may be approved by any approver of the agent
    assert evaluate(grant(), Context(POLICY, NOW, approver="bob")).decision is Decision.EXECUTE


def test_other_operations_are_untouched() -> None:
    read = Action(agent="desk", system="okta", operation="directory.read", target="00u42", business_key="k")
    assert evaluate(read, Context(POLICY, NOW)).decision is Decision.HOLD  # hitl default, not the guard
    assert Reason.GUARDED_VALUE.value not in evaluate(read, Context(POLICY, NOW)).codes


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"operation": "directory.reset_password"}, "is not granted to this agent"),
        ({"approvers": ["mallory"]}, "is not an approver for this agent"),
        ({"values": []}, "values"),
        ({"name": "Bad Name"}, "name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_rules_are_rejected(override: dict[str, Any], problem: str) -> None:
    with pytest.raises(PolicyError, match=problem):
        parse_policy(policy_data(**override))


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=30))
def test_no_spelling_of_a_privileged_name_executes(name: str) -> None:
    """Any casing/padding of a guarded name is held; anything the guard lets through is not guarded."""
    verdict = evaluate(grant(name), Context(POLICY, NOW))
    folded = name.strip().casefold()
    guarded = not folded or folded in {"domain admins", "enterprise admins"} or folded.endswith("-admins")
    assert (verdict.decision is Decision.HOLD) == guarded
