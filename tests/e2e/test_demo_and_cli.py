"""The two-command start and the CLI shell: the demo is a real run, errors are one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from governance.errors import PolicyError
from opspack.demo.walkthrough import load_demo_actions, run_demo

OPSPACK = [sys.executable, "-m", "opspack.cli"]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*OPSPACK, *args], capture_output=True, text=True, timeout=120, env=env)


def test_demo_runs_the_whole_governance_path(tmp_path: Path) -> None:
    summary = run_demo(tmp_path / "demo", console=None)
    by_txn = {r["transaction"]: r for r in summary["results"]}
    assert by_txn["T-AP-0001"]["status"] == "executed"
    assert by_txn["T-AP-0002"]["status"] == "executed"
    assert by_txn["T-AP-0003"]["status"] == "held"
    assert {r["code"] for r in by_txn["T-AP-0003"]["reasons"]} >= {"over_threshold"}
    assert by_txn["T-AP-0004"]["status"] == "denied"
    assert by_txn["T-SD-0002"]["status"] == "held"
    assert by_txn["T-SD-0003"]["status"] == "denied"
    assert by_txn["T-PR-0002"]["status"] == "shadowed"
    replay = by_txn["T-AP-0002-replay"]
    assert replay["status"] == "duplicate"
    assert replay["document_id"] == by_txn["T-AP-0002"]["document_id"]
    round_ = summary["approval_round"]
    assert round_["unauthorised_attempt"].startswith("refused")
    assert round_["outcome"] == "executed" and round_["document_id"]
    assert len(summary["pending_approvals"]) == 1  # the Domain Admins request waits for its owner
    assert summary["audit"]["ok"] is True
    ap = summary["ap"]
    assert ap["invoices"] == 14 and ap["failed"] == 0
    assert ap["posted"] == 7 and ap["held"] == 7
    assert set(ap["held_by_reason"]) == {"bank_change", "duplicate", "math_error", "price_variance"}
    done, total = ap["agreement_with_planted_outcome"].split("/")
    assert done == total
    outcomes = {m["file"]: m["outcome"] for m in summary["intake"]["messages"]}
    assert outcomes["07-prompt-injection.eml"] == "escalated"
    assert outcomes["13-refund-over-limit.eml"] == "held"
    assert outcomes["04-empty.eml"] == outcomes["05-binary.eml"] == "escalated"  # nothing is dropped
    assert len(outcomes) == 13 and "resolved" in outcomes.values()
    kinds = [step["kind"] for step in summary["timeline"]]
    assert kinds[:4] == ["intake", "decision", "verdict", "approval_requested"]
    assert (
        kinds.index("approval_decided") < kinds.index("execution_started") < kinds.index("execution_outcome")
    )


def test_demo_is_repeatable(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "demo", console=None)
    second = run_demo(tmp_path / "demo", console=None)
    assert [r["status"] for r in first["results"]] == [r["status"] for r in second["results"]]


def test_demo_cli_prints_json(tmp_path: Path) -> None:
    result = run_cli("demo", "--workdir", str(tmp_path / "d"), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["audit"]["ok"] is True


def test_malformed_demo_actions_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "actions.yaml"
    bad.write_text(
        "- transaction: T1\n  title: x\n  action: {agent: a, system: s, operation: NOPE, business_key: k}\n"
    )
    with pytest.raises(PolicyError, match=r"\[0\]\.action\.operation"):
        load_demo_actions(bad)


def test_policy_check_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text(
        "systems: {sap: {kind: erp}}\nagents: {a: {identity: {id: x, owner: y}, systems: {sap: [erp.read]}, bogus: 1}}\n"
    )
    result = run_cli("policy", "check", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opspack: error:")
    assert str(bad) in lines[0] and "agents.a.bogus" in lines[0]
    assert "Traceback" not in result.stderr
    debug = run_cli("--debug", "policy", "check", str(bad))
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_policy_check_summarises_the_example() -> None:
    result = run_cli("policy", "check", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary["agents"]) == {"ap_clerk", "service_desk", "procurement", "customer_intake"}
    assert summary["agents"]["ap_clerk"]["tiers"]["erp.post_invoice"] == "hootl"
