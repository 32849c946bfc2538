"""Policy loading: default deny, fail closed, messages that name file, key path and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from governance.errors import PolicyError
from governance.policy import Tier, load_policy, parse_policy

EXAMPLE = Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml"


def minimal() -> dict[str, Any]:
    return {
        "systems": {"sap": {"kind": "erp"}},
        "agents": {
            "ap": {
                "identity": {"id": "agent-ap", "owner": "lead@example.com"},
                "systems": {"sap": ["erp.read", "erp.post_invoice"]},
                "thresholds": {"erp.post_invoice": {"max_amount": 100, "currency": "EUR"}},
                "escalation": {"default": {"queue": "ap", "sla_hours": 8}},
            }
        },
        "approvers": {"alice": {"name": "Alice", "may_approve": ["ap"]}},
    }


def write(tmp_path: Path, data: Any) -> Path:
    file = tmp_path / "policy.yaml"
    file.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return file


def test_example_policy_loads_and_covers_four_agents() -> None:
    policy = load_policy(EXAMPLE)
    assert set(policy.agents) == {"ap_clerk", "service_desk", "procurement", "customer_intake"}
    assert len(policy.version) == 64


def test_version_ignores_formatting_but_not_meaning(tmp_path: Path) -> None:
    data = minimal()
    a = load_policy(write(tmp_path, data))
    reformatted = tmp_path / "b.yaml"
    reformatted.write_text("# comment\n" + yaml.safe_dump(data, default_flow_style=True))
    assert load_policy(reformatted).version == a.version
    data["agents"]["ap"]["thresholds"]["erp.post_invoice"]["max_amount"] = 101
    assert parse_policy(data).version != a.version


def test_amount_spelling_does_not_change_version() -> None:
    a, b = minimal(), minimal()
    a["agents"]["ap"]["thresholds"]["erp.post_invoice"]["max_amount"] = 100
    b["agents"]["ap"]["thresholds"]["erp.post_invoice"]["max_amount"] = "100.00"
    assert parse_policy(a).version == parse_policy(b).version


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["agents"]["ap"].update(colour="red"), "agents.ap.colour: unknown key"),
        (lambda d: d.update(extra=1), "extra: unknown key"),
        (
            lambda d: d["agents"]["ap"]["thresholds"]["erp.post_invoice"].update(max_amount=-1),
            "agents.ap.thresholds.erp.post_invoice.max_amount",
        ),
        (lambda d: d["agents"]["ap"].update(kill_switch="maybe"), "agents.ap.kill_switch"),
        (lambda d: d["agents"]["ap"]["systems"].update(oracle=["erp.read"]), "unknown system"),
        (lambda d: d["agents"]["ap"]["systems"].update(sap=["itsm.resolve"]), "does not belong to a 'erp'"),
        (
            lambda d: d["agents"]["ap"]["thresholds"].update(
                {"erp.schedule_payment": {"max_amount": 1, "currency": "EUR"}}
            ),
            "not granted to this agent",
        ),
        (lambda d: d["approvers"]["alice"].update(may_approve=["ghost"]), "unknown agent 'ghost'"),
        (lambda d: d["agents"]["ap"]["systems"].update(sap=["DROP TABLE"]), "is not an operation name"),
        (
            lambda d: d["agents"]["ap"].update(autonomy={"default": "yolo"}),
            "agents.ap.autonomy.default",
        ),
    ],
)
def test_malformed_policies_are_rejected_with_path(tmp_path: Path, mutate: Any, expected: str) -> None:
    data = minimal()
    mutate(data)
    file = write(tmp_path, data)
    with pytest.raises(PolicyError) as caught:
        load_policy(file)
    message = str(caught.value)
    assert str(file) in message
    assert expected in message


def test_duplicate_keys_and_bad_yaml_fail_closed(tmp_path: Path) -> None:
    dup = "systems: {sap: {kind: erp}}\nsystems: {okta: {kind: directory}}\nagents: {}\n"
    with pytest.raises(PolicyError, match="duplicate key 'systems'"):
        load_policy(write(tmp_path, dup))
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(write(tmp_path, "agents: [unclosed"))
    with pytest.raises(PolicyError, match="must be a mapping"):
        load_policy(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "missing.yaml")


def test_unlisted_tier_defaults_to_human_in_the_loop() -> None:
    agent = parse_policy(minimal()).agent("ap")
    assert agent.autonomy.tier_for("erp.post_invoice") is Tier.HITL


def test_unknown_agent_lookup_names_known_agents() -> None:
    with pytest.raises(PolicyError, match=r"unknown agent 'x'.*\['ap'\]"):
        parse_policy(minimal()).agent("x")


def test_agents_cannot_share_an_identity() -> None:
    data = minimal()
    data["agents"]["ar"] = dict(data["agents"]["ap"])
    with pytest.raises(PolicyError, match="already the identity of 'ap'"):
        parse_policy(data)
