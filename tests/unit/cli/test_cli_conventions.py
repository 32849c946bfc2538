"""The command line's conventions: --json wherever data is printed, shell completion, one error
style and exit code, `ap run` exits non-zero with a table when an invoice failed, progress bars
only on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from agents.ap.result import APResult
from opspack.cli import ap as cli_ap
from opspack.cli import app
from opspack.cli.progress import Tracked, progress

EXEMPT = {
    "run": "long-running service: its output is JSON log lines (--log-level), not a result",
    "mocks serve": "long-running server: prints only where it listens",
    "metrics serve": "long-running server: prints only where it listens",
    "audit export": "its output is already JSON lines (one ledger record per line)",
    "worker": "long-running Celery worker: its output is JSON log lines (--log-level), not a result",
    "scheduler": "long-running scheduler: its output is JSON log lines (--log-level), not a result",
}
"""Commands that need no --json, each with the reason."""


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """(name, command) for every command, the root's children first; typer's own click types."""
    found = []
    if path and command.callback is not None and any(p.name == "as_json" for p in command.params):
        found.append((" ".join(path), command))  # a group that prints data itself (`metrics`)
    children = getattr(command, "commands", None)
    if children is None:
        return [(" ".join(path), command)]
    for name, child in children.items():
        found += _commands(child, (*path, name))
    return found


def _has_json(command: Any) -> bool:
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


def test_every_command_that_prints_data_has_json() -> None:
    commands = dict(_commands(get_command(app)))
    assert len(commands) > 45 and "ap run" in commands and "console add-user" in commands
    missing = sorted(
        name for name, command in commands.items() if not _has_json(command) and name not in EXEMPT
    )
    assert missing == [], f"commands without --json (add it, or exempt them with a reason): {missing}"
    for name in EXEMPT:  # the exemptions stay true: they exist and still have no --json
        assert name in commands and not _has_json(commands[name]), name
    for name in ("report", "audit checkpoint", "secrets set", "console add-user", "console list-users"):
        assert _has_json(commands[name]), name


def test_shell_completion_is_on() -> None:
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="opspack")
    assert result.exit_code == 0 and "_OPSPACK_COMPLETE" in result.stdout


def _failing_wiring(monkeypatch: pytest.MonkeyPatch, statuses: list[str]) -> None:
    class Agent:
        def __init__(self) -> None:
            self.calls = 0

        def process(self, file: Path) -> APResult:
            status = statuses[self.calls]
            self.calls += 1
            return APResult(
                transaction_id=f"ap-{self.calls}",
                source=str(file),
                status=status,  # type: ignore[arg-type]
                decision="post",
                reasons=("price_variance",) if status == "held" else (),
                rule="governance.post_failed" if status == "failed" else "three_way_match.clean",
                message="post: failed (erp unreachable)" if status == "failed" else "",
            )

    class Wiring:
        @classmethod
        def load(cls, **_: Any) -> Wiring:
            return cls()

        def ap_agent(self, erp: str) -> Agent:
            return Agent()

        def checkpoint(self) -> None:
            return None

    monkeypatch.setattr(cli_ap, "Wiring", Wiring)


def test_ap_run_prints_tables_and_exits_1_when_an_invoice_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.json", "b.json", "c.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    _failing_wiring(monkeypatch, ["posted", "held", "failed"])
    result = CliRunner().invoke(cli_ap.ap_app, ["run", str(tmp_path)])
    assert result.exit_code == 1
    assert "AP agent run" in result.stdout and "Summary" in result.stdout
    assert "held: price_variance" in result.stdout
    assert "{" not in result.stdout and "}" not in result.stdout  # a table, never a Python dict
    assert result.stderr.strip() == "opspack: error: 1 invoice(s) failed"
    _failing_wiring(monkeypatch, ["posted", "held", "failed"])
    as_json = CliRunner().invoke(cli_ap.ap_app, ["run", str(tmp_path), "--json"])
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["summary"]["failed"] == 1
    _failing_wiring(monkeypatch, ["posted", "held", "posted"])
    clean = CliRunner().invoke(cli_ap.ap_app, ["run", str(tmp_path)])
    assert clean.exit_code == 0 and clean.stderr == ""


def test_errors_are_one_line_in_one_style(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "opspack.yaml").write_text("version: 1\n", encoding="utf-8")
    exists = runner.invoke(app, ["init", str(tmp_path)])
    assert exists.exit_code == 1
    assert (
        exists.stderr.startswith("opspack: error: opspack.yaml already exist")
        and exists.stderr.count("\n") == 1
    )
    unknown = runner.invoke(app, ["connections", "check", "nowhere"])
    assert unknown.exit_code == 1 and unknown.stderr.startswith("opspack: error: ")
    assert "no connection named 'nowhere'" in unknown.stderr
    not_a_folder = runner.invoke(app, ["ap", "run", str(tmp_path / "missing")])
    assert not_a_folder.exit_code == 2 and not_a_folder.stderr.startswith("opspack: error: ")
    usage = runner.invoke(app, ["ap", "run"])
    assert usage.exit_code == 2  # the parser's usage errors keep click's code


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    with progress("invoices", 3) as advance:
        seen = list(Tracked(["a", "b", "c"], advance))
    assert seen == ["a", "b", "c"] and pipe.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress("invoices", 3, quiet=True) as advance:
        advance()
    assert terminal.getvalue() == ""  # --json: no bar even on a terminal
    ticks: list[int] = []
    with progress("invoices", 3) as advance:

        def tick() -> None:
            advance()
            ticks.append(1)

        for _ in Tracked(["a", "b"], tick):
            pass
    assert len(ticks) == 2 and "invoices" in terminal.getvalue()
