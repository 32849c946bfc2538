"""The shipped scenario suite, its generator, the replay report and the CLI commands.

The suite is scored against the SAP mock (the CLI's default ERP); a sample of it runs against the
in-memory `FakeERP` and the NetSuite mock too and must come out case for case the same.
"""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.intake.replay import ReplayReport, replay
from agents.intake.scenarios import ScenarioError, load_scenarios
from connectors.erp import FakeERP
from opspack.cli.intake import erp_factory, intake_app

ROOT = Path(__file__).resolve().parents[3]
SUITE = ROOT / "fixtures" / "scenarios" / "intake"


@pytest.fixture(scope="module")
def report() -> ReplayReport:
    return replay(load_scenarios(SUITE), erp=erp_factory("sap"), erp_system="sap")


def test_suite_size_and_coverage() -> None:
    cases = load_scenarios(SUITE)
    assert len(cases) >= 250
    assert sum(c.expected.intent == "out_of_scope" for c in cases) >= 25
    assert sum(len(c.input.messages) > 1 for c in cases) >= 15
    assert {c.expected.outcome for c in cases} == {
        "resolved",
        "awaiting_customer",
        "routed",
        "escalated",
        "held",
    }
    assert {m.channel for c in cases for m in c.input.messages} == {"email", "chat", "web_form"}


def test_shipped_suite_figures(report: ReplayReport) -> None:
    figures = report.figures()
    assert figures["wrong_autonomous"] == 0
    assert figures["intent_accuracy"] >= 0.9
    assert figures["out_of_scope_precision"] >= 0.9
    assert figures["out_of_scope_recall"] >= 0.5
    assert 0.4 <= figures["resolved_autonomously"] <= 0.7
    # every disagreement is a doubtful message the agent handed over, never one it acted on
    assert all(c.result.outcome.value != "resolved" for c in report.cases if not c.agrees)


def test_the_erp_behind_the_agent_does_not_change_any_outcome(report: ReplayReport) -> None:
    cases = load_scenarios(SUITE)[::9]
    on_sap = {c.case_id: (c.result.intent, c.result.outcome, c.result.reasons) for c in report.cases}
    for erp, system in ((FakeERP.sample, "sap"), (erp_factory("netsuite"), "netsuite")):
        other = replay(cases, erp=erp, erp_system=system)
        assert {c.case_id: (c.result.intent, c.result.outcome, c.result.reasons) for c in other.cases} == {
            c.id: on_sap[c.id] for c in cases
        }
    assert {c.expected.intent for c in cases} >= {"order_status", "invoice_copy", "refund_return"}


def test_generated_file_matches_a_fresh_generation() -> None:
    spec = importlib.util.spec_from_file_location("generate_intake", SUITE / "generate_intake.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (SUITE / "generated.yaml").read_text(encoding="utf-8") == module.generate()


def test_wrong_autonomous_is_counted_and_fails_the_cli(tmp_path: Path) -> None:
    case = tmp_path / "wrong.yaml"
    case.write_text(
        """
agent: intake
cases:
  - id: expects-escalation
    input:
      messages:
        - channel: email
          eml: |
            From: Ada Andersen <ada.andersen0@acme.example>
            Message-ID: <w1@t>

            Where is my order SO-100001?
    expected: {intent: order_status, outcome: escalated}
""",
        encoding="utf-8",
    )
    wrong = replay(load_scenarios(case))
    assert wrong.figures()["wrong_autonomous"] == 1
    result = CliRunner().invoke(intake_app, ["replay", str(case), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["results"][0]["actual"]["outcome"] == "resolved"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "cases: [{id: x, input: {messages: []}, expected: {intent: a, outcome: resolved}}]",
            "input.messages",
        ),
        (
            "cases: [{id: x, input: {messages: [{channel: chat, eml: hi}]}, expected: {intent: a, outcome: resolved}}]",
            "exactly its own payload",
        ),
        ("cases: [{id: x, inputs: {}, expected: {intent: a, outcome: resolved}}]", "case x"),
        ("[1, 2", "cannot read"),
    ],
)
def test_bad_scenarios_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(bad)
    result = CliRunner().invoke(intake_app, ["replay", str(bad)])
    assert result.exit_code == 1 and "error:" in result.output


@pytest.mark.parametrize("erp", ["sap", "netsuite"])
def test_cli_run_processes_the_demo_inbox_against_an_erp_mock(tmp_path: Path, erp: str) -> None:
    result = CliRunner().invoke(
        intake_app, ["run", "--database", str(tmp_path / "i.db"), "--erp", erp, "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["erp"] == erp
    outcomes = {m["file"]: m["outcome"] for m in data["messages"]}
    assert outcomes["01-html-only.eml"] == outcomes["02-multipart-attachment.eml"] == "resolved"
    assert outcomes["13-refund-over-limit.eml"] == "held"
    assert data["replies_queued"] == len(outcomes)
    booked = [(m["customer_id"], Decimal(m["amount"])) for m in data["credit_memos"]]
    assert booked == [("CUST-10078", Decimal("25"))], "only the chat's small refund executes"


def test_cli_refuses_an_unknown_erp(tmp_path: Path) -> None:
    result = CliRunner().invoke(intake_app, ["run", "--database", str(tmp_path / "i.db"), "--erp", "oracle"])
    assert result.exit_code == 1 and "no connection named 'oracle'" in result.output
