"""Scenario format and replay: the shipped suite, the loader's errors, the CLI's report and exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agents.ap.reasons import HoldReason
from agents.ap.replay import replay, shadow_policy
from agents.ap.scenarios import ScenarioError, load_scenarios
from opspack.cli.replay import replay_app
from opspack.settings import FIXTURES_DIR, policy_path

SUITE = FIXTURES_DIR / "scenarios" / "ap"
HAND_WRITTEN = SUITE / "hand-written.yaml"


def test_shipped_suite_covers_every_reason_and_agrees_with_zero_wrong_auto_posts() -> None:
    cases = load_scenarios(SUITE)
    assert len(cases) >= 150
    expected = {reason for case in cases for reason in case.expected.reasons}
    assert expected == set(HoldReason)
    assert sum(case.expected.outcome == "post" for case in cases) >= 40
    report = replay(cases, shadow_policy(policy_path()))
    assert report.wrong_auto_posts == []
    assert report.agreement >= 0.97, [c.as_dict() for c in report.cases if not c.agrees]
    assert all(row["agreement"] >= 0.9 for row in report.per_reason().values())
    # Shadow mode: the gate recorded what would have been done; escalations never reach the gate.
    assert {c.governance for c in report.cases} <= {"shadowed", "held"}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_ap", FIXTURES_DIR / "scenarios" / "generate_ap.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    assert module.generate(tmp_path) >= 150
    for produced in tmp_path.iterdir():
        assert produced.read_text(encoding="utf-8") == (SUITE / produced.name).read_text(encoding="utf-8")


def _one_case(tmp_path: Path, expected: dict[str, object], **changes: object) -> Path:
    data = yaml.safe_load(HAND_WRITTEN.read_text(encoding="utf-8"))
    case = next(c for c in data["cases"] if c["id"] == "hw-toner-price-rise")
    case = {**case, "expected": expected, **changes}
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump({**data, "cases": [case]}, allow_unicode=True), encoding="utf-8")
    return path


def test_a_wrong_auto_post_is_reported_and_fails_the_command(tmp_path: Path) -> None:
    # Staging a hold the agent would post: a price rise inside tolerance expected as a hold.
    path = _one_case(tmp_path, {"outcome": "hold", "reasons": ["price_variance"]})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for line in data["cases"][0]["input"]["invoice"]["lines"]:
        line.update(unit_price="98.00", amount="392.00")
    data["cases"][0]["input"]["invoice"].update(subtotal="392.00", tax="74.48", total="466.48")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(replay_app, ["ap", str(path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["wrong_auto_posts"] == ["hw-toner-price-rise"] and report["agreement"] == 0.0
    assert report["confusion"] == {"price_variance": {"post": 1}}


def test_cli_replay_human_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(replay_app, ["ap", str(HAND_WRITTEN)])
    assert result.exit_code == 0, result.output
    assert "9/9 agree" in result.output and "wrong auto-posts 0" in result.output


@pytest.mark.parametrize(
    ("expected", "changes", "message"),
    [
        ({"outcome": "maybe"}, {}, "expected.outcome"),
        ({"outcome": "hold", "reasons": ["late_delivery"]}, {}, "expected.reasons"),
        ({"outcome": "hold"}, {"surprise": 1}, "surprise"),
    ],
)
def test_malformed_cases_name_the_problem(
    tmp_path: Path, expected: dict[str, object], changes: dict[str, object], message: str
) -> None:
    path = _one_case(tmp_path, expected, **changes)
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(path)
    result = CliRunner().invoke(replay_app, ["ap", str(path)])
    assert result.exit_code == 1 and message in result.output


def test_duplicate_ids_and_missing_paths_are_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HAND_WRITTEN.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HAND_WRITTEN.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate case id"):
        load_scenarios(tmp_path)
    with pytest.raises(ScenarioError, match="no such scenario"):
        load_scenarios(tmp_path / "absent")


def test_other_agents_cases_are_skipped_and_file_agent_is_the_default(tmp_path: Path) -> None:
    data = yaml.safe_load(HAND_WRITTEN.read_text(encoding="utf-8"))
    ours = next(c for c in data["cases"] if c["id"] == "hw-toner-price-rise")
    theirs = {"id": "sd-1", "agent": "service_desk", "input": {"ticket": "x"}, "expected": {"outcome": "x"}}
    del ours["agent"]
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump({**data, "cases": [ours, theirs]}, allow_unicode=True), encoding="utf-8")
    assert [case.id for case in load_scenarios(path)] == ["hw-toner-price-rise"]
