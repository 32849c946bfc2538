"""Spend scenarios load in the shared format and replay in shadow mode with honest scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agents.procurement.errors import ScenarioError
from agents.procurement.spend_replay import replay_spend_cases, shadow_policy
from agents.procurement.spend_scenarios import load_spend_scenarios
from agents.procurement.taxonomy import DEFAULT_ABBREVIATIONS, default_taxonomy, load_abbreviations
from opspack.cli.spend import replay_spend

from .conftest import FIXTURES

SCENARIOS = FIXTURES / "scenarios" / "spend"


def replay(path: Path):  # type: ignore[no-untyped-def]
    return replay_spend_cases(
        load_spend_scenarios(path),
        shadow_policy(FIXTURES / "policy.yaml"),
        default_taxonomy(),
        load_abbreviations(DEFAULT_ABBREVIATIONS),
    )


def test_hand_written_cases() -> None:
    report = replay(SCENARIOS / "hand-written.yaml")
    results = {c.id: c for c in report.cases}
    assert len(results) == 14
    assert results["po-m365"].code == "43230000" and results["po-m365"].governance == "shadowed"
    assert results["unreadable"].route == "review" and results["unreadable"].agrees
    assert results["po-misc-charges"].route == "review"
    assert not [c.id for c in report.cases if c.wrong_write_back]
    assert report.accuracy == 1.0 and report.agreement >= 0.85


def test_generated_cases_with_and_without_history() -> None:
    zero_shot = replay(SCENARIOS / "generated-zero-shot.yaml")
    learnt = replay(SCENARIOS / "generated-with-history.yaml")
    assert len(zero_shot.cases) == len(learnt.cases) == 150
    assert zero_shot.accuracy >= 0.88 and learnt.accuracy >= zero_shot.accuracy
    assert {c.method for c in learnt.cases} >= {"history", "vendor prior"}
    for report in (zero_shot, learnt):
        wrong = [c for c in report.cases if c.wrong_write_back]
        assert len(wrong) <= 0.03 * len(report.cases)


def test_bad_scenarios_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "cases:\n  - {id: x, agent: spend, input: {line: {description: a}}, expected: {}}\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match="case 'x'"):
        load_spend_scenarios(bad)
    both = tmp_path / "both.yaml"
    both.write_text("id: y\nagent: spend\ninput: {}\nexpected: {code: '43210000'}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"exactly one of input\.line, input\.po_line"):
        replay(both)
    with pytest.raises(ScenarioError, match="no such scenario"):
        load_spend_scenarios(tmp_path / "missing")


def test_replay_command_json_and_threshold() -> None:
    app = typer.Typer()
    app.command("spend")(replay_spend)
    app.command("noop")(lambda: None)  # a second command keeps `spend` a subcommand
    runner = CliRunner()
    result = runner.invoke(app, ["spend", str(SCENARIOS / "hand-written.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == 14
    strict = runner.invoke(app, ["spend", str(SCENARIOS / "hand-written.yaml"), "--min-agreement", "1.0"])
    assert strict.exit_code == 1 and "below --min-agreement" in strict.stderr
    generated = runner.invoke(app, ["spend", str(SCENARIOS / "generated-zero-shot.yaml"), "--json"])
    wrong = json.loads(generated.stdout)["wrong_write_backs"]
    assert generated.exit_code == (1 if wrong else 0)
    allowed = runner.invoke(
        app,
        ["spend", str(SCENARIOS / "generated-zero-shot.yaml"), "--max-wrong-write-backs", str(len(wrong))],
    )
    assert allowed.exit_code == 0


def test_other_agents_cases_in_the_tree_are_skipped() -> None:
    cases = load_spend_scenarios(FIXTURES / "scenarios")
    assert cases and {case.agent for case in cases} == {"spend"}


def test_the_whole_folder_replays_exactly_like_its_files_one_by_one() -> None:
    """Issue 23: `opspack replay spend fixtures/scenarios/spend` reported 3 wrong write-backs.
    Nothing leaks between scenario files (no classifier, vendor prior, history or transaction id
    carries over): every case comes out of the folder replay exactly as out of its own file, and
    the folder's wrong write-backs are the files' own (zero-shot text answers confident on one
    known word), each file within the bound `test_generated_cases_with_and_without_history` sets."""
    folder = replay(SCENARIOS)
    alone = {c.id: c for path in sorted(SCENARIOS.glob("*.yaml")) for c in replay(path).cases}
    assert len(folder.cases) == len(alone) == 314
    assert {c.id: c for c in folder.cases} == alone
    wrong = [c.id for c in folder.cases if c.wrong_write_back]
    assert wrong == [c.id for c in alone.values() if c.wrong_write_back]
    assert all(w.startswith(("zs-", "hist-")) for w in wrong)  # the hand-written cases: none
    assert len(wrong) <= 0.03 * len(folder.cases)
