"""`opspack replay service-desk --learn-into ROOT`: the replay's wrong categories become examples."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from agents.perception.model_registry import ModelRegistry
from opspack.cli import app

SUITE = Path(__file__).resolve().parents[3] / "fixtures" / "scenarios" / "service_desk"


def test_wrong_categories_of_a_replay_are_recorded_as_examples(tmp_path: Path) -> None:
    data = yaml.safe_load((SUITE / "generated.yaml").read_text(encoding="utf-8"))
    cases = {c["id"]: c for c in data["cases"]}
    relabelled = cases["reset-self-00"]  # the people who wrote the case call this an unlock
    relabelled["expected"] = {**relabelled["expected"], "category": "account_unlock"}
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump({**data, "cases": [relabelled, cases["reset-self-01"]]}), encoding="utf-8")
    models = tmp_path / "models"

    result = CliRunner().invoke(
        app, ["replay", "service-desk", str(path), "--json", "--learn-into", str(models)]
    )

    body = json.loads(result.stdout)
    said = {r["id"]: r["actual"]["category"] for r in body["results"]}
    assert said == {"reset-self-00": "password_reset", "reset-self-01": "password_reset"}
    assert "1 wrong labels recorded as examples" in result.stderr
    examples = ModelRegistry(models, "service_desk").examples()
    assert examples.labels == ("account_unlock",)
    assert "password" in examples.texts[0].lower()
