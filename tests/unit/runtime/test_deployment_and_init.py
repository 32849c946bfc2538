"""The deployment file refuses what it does not know; `opspack init` writes a runnable, all-shadow start."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connectors.errors import ConfigurationError
from governance.policy import load_policy
from governance.store import Store
from opspack.cli import app
from opspack.cli.run import serve_health
from opspack.deployment import load_deployment
from opspack.runtime.runner import Runner, RuntimeMetrics

GOOD = {
    "sources": {"invoices": {"kind": "folder", "path": "inbox"}},
    "agents": {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "opspack.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_good_deployment_loads_with_paths_relative_to_its_file(tmp_path: Path) -> None:
    deployment = load_deployment(write(tmp_path, GOOD))
    assert deployment.agent_for_source("invoices") == "ap"
    assert deployment.path(Path("inbox")) == tmp_path.resolve() / "inbox"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"agents": {"ap": {**GOOD["agents"]["ap"], "conections": {}}}},
            "agents.ap.conections: Extra inputs",
        ),
        ({"agnets": {}}, "agnets: Extra inputs"),
        ({"agents": {"ap": {"type": "ap", "connections": {}, "sources": []}}}, "missing erp"),
        ({"agents": {"ap": {"type": "ap", "connections": {"erp": "sap", "crm": "x"}}}}, "unknown crm"),
        ({"agents": {"ap": {**GOOD["agents"]["ap"], "sources": ["mail"]}}}, "no source named 'mail'"),
        ({"sources": {"invoices": {"kind": "ftp", "path": "x"}}}, "does not match any of the expected tags"),
        ({"schedules": {"x": {"cron": "0 7 * *", "task": "merkle_checkpoint"}}}, "five"),
        ({"schedules": {"x": {"cron": "0 7 * * *", "task": "po_follow_up"}}}, "needs the ERP connection"),
        (
            {"sources": {"m": {"kind": "imap", "host": "h", "username": "u", "password_secret": "hunter2"}}},
            "secret:",
        ),
    ],
)
def test_bad_deployments_are_refused_naming_the_key(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_deployment(write(tmp_path, {**GOOD, **change}))
    assert message in str(caught.value) and "opspack.yaml" in str(caught.value)


def test_init_writes_a_starter_that_validates_and_runs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["init", "starter"])
    assert result.exit_code == 0, result.output
    policy = load_policy(tmp_path / "starter" / "policy.yaml")
    tiers = {
        op: agent.autonomy.tier_for(op).value for agent in policy.agents.values() for op in agent.operations
    }
    assert tiers and set(tiers.values()) == {"shadow"}
    again = runner.invoke(app, ["init", "starter"])
    assert again.exit_code == 1 and "already exist" in again.output
    run = runner.invoke(app, ["run", "--config", "starter/opspack.yaml", "--once", "--health-port", "0"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "starter" / ".opspack" / "opspack.db").exists()  # relative to the deployment file


def test_health_readiness_and_metrics_are_served(tmp_path: Path) -> None:
    metrics = RuntimeMetrics()
    runner = Runner(Store(f"sqlite:///{tmp_path / 'h.db'}"), {}, {}, metrics=metrics)
    server = serve_health("127.0.0.1", 0, runner, metrics)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        assert json.load(urllib.request.urlopen(f"{base}/healthz"))["status"] == "ok"
        with pytest.raises(urllib.error.HTTPError) as not_ready:
            urllib.request.urlopen(f"{base}/readyz")
        assert not_ready.value.code == 503
        runner.ready = True
        assert json.load(urllib.request.urlopen(f"{base}/readyz"))["ready"] is True
        metrics.items.labels("invoices", "posted").inc()
        text = urllib.request.urlopen(f"{base}/metrics").read().decode()
        assert 'opspack_items_total{source="invoices",status="posted"} 1.0' in text
    finally:
        server.shutdown()
