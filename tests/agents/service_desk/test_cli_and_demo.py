"""`opspack service-desk run` and the demo section, against the in-process mocks."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from governance.policy import load_policy
from governance.store import Store
from opspack.agent_runs.service_desk import load_queue
from opspack.cli import app
from opspack.demo.service_desk import run_service_desk_section

POLICY = Path(__file__).resolve().parents[3] / "fixtures" / "policy.yaml"
QUEUE = Path(__file__).resolve().parents[3] / "fixtures" / "service_desk" / "demo_queue.yaml"


def test_run_works_the_demo_queue_on_jsm_and_graph(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "service-desk",
            "run",
            "--itsm",
            "jsm",
            "--directory",
            "msgraph",
            "--database",
            str(tmp_path / "sd.db"),
            "--queue",
            str(QUEUE),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["tickets"] == len(load_queue())
    assert body["resolved"] >= 6 and body["escalated"] >= 4 and body["awaiting_approval"] == 1


def test_run_only_the_given_tickets_and_refuse_unknown_vendors(tmp_path: Path) -> None:
    db = str(tmp_path / "sd.db")
    result = CliRunner().invoke(
        app,
        ["service-desk", "run", "--queue", str(QUEUE), "--ticket", "INC0010001", "--database", db, "--json"],
    )
    assert result.exit_code == 0, result.output
    [only] = json.loads(result.output)["results"]
    assert only["number"] == "INC0010001" and only["outcome"] == "resolved"
    bad = CliRunner().invoke(app, ["service-desk", "run", "--itsm", "remedy", "--database", db])
    assert bad.exit_code == 1 and "no connection named 'remedy'" in bad.output


def test_demo_section_resolves_the_held_grant_after_the_owner_approves(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    console = Console(record=True, width=160)
    summary = run_service_desk_section(load_policy(POLICY), store, console)
    store.dispose()
    first = summary["first_pass"]
    assert first["tickets"] == len(load_queue()) and first["awaiting_approval"] == 1
    assert [r["outcome"] for r in summary["after_approval"]["results"]] == ["resolved"]
    text = console.export_text()
    assert "Service desk" in text and "prompt_injection" in text and "after carol approved" in text
